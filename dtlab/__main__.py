from dtlab.launch import main

raise SystemExit(main())
