"""Run the benchmarks: `python -m benchmarks [--quick] [--only NAME] [--json PATH]`."""

from benchmarks.suite import main

raise SystemExit(main())
