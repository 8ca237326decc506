"""Write the example submission in every format from its one hand-made copy.

examples/example-submission.json is the source. This rewrites it in the standard's
field order and writes examples/csv/<table>.csv and examples/example-submission.xlsx
from it, so the three formats always hold the same data.

    python scripts/make_examples.py            # into examples/
    python scripts/make_examples.py --out DIR  # elsewhere (the tests compare the two)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sufficiency_standard.write import write_csv_folder, write_json, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SOURCE = EXAMPLES / "example-submission.json"


def make_examples(out: Path, source: Path = SOURCE) -> list[Path]:
    """Write the JSON, CSV and Excel forms of `source` into `out`; return the paths written."""
    submission = json.loads(source.read_text(encoding="utf-8"))
    return [
        write_json(submission, out / "example-submission.json"),
        *write_csv_folder(submission, out / "csv"),
        write_xlsx(submission, out / "example-submission.xlsx"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=EXAMPLES, help="folder to write into")
    args = parser.parse_args(argv)
    for path in make_examples(args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
