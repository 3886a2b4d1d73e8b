// The command line and the REPL live here.
