print("dscript: under construction")
