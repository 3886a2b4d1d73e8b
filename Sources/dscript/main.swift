import DSShell

Shell.main()
