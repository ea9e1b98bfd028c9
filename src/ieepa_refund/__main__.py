from ieepa_refund.cli import main

raise SystemExit(main())
