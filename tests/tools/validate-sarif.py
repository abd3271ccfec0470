#!/usr/bin/python3
"""validate-sarif.py SCHEMA FILE...: check SARIF files against the SARIF
2.1.0 JSON schema (tests/data/sarif/). Prints one line per file; exit 1
if any file is not valid JSON or breaks the schema, 2 on bad usage.
Debian's python3-jsonschema (tests/deps.list), run with /usr/bin/python3."""
import json
import sys

import jsonschema


def main(argv):
    if len(argv) < 3:
        print("usage: validate-sarif.py SCHEMA FILE...", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=jsonschema.FormatChecker())
    bad = 0
    for path in argv[2:]:
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print(f"{path}: not JSON: {e}")
            bad += 1
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        if errors:
            bad += 1
            for e in errors[:10]:
                where = "/".join(str(p) for p in e.absolute_path)
                print(f"{path}: /{where}: {e.message[:300]}")
        else:
            print(f"{path}: valid SARIF 2.1.0")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
