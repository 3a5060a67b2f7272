import sys

from fhud_app.cli import main

sys.exit(main())
