from dtlab.cli.main import main

raise SystemExit(main())
