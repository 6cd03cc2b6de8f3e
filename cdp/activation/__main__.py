"""`python -m cdp.activation compile` regenerates models/marts/activation/audience_membership.sql from
audiences/*.yml; `python -m cdp.activation check` validates every definition and says whether the model is
in step (exit 1 if not)."""

from __future__ import annotations

import argparse
import sys

from cdp.activation.compiler import MODEL_PATH, is_model_current, write_model
from cdp.activation.config import ConfigError, load_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cdp.activation")
    parser.add_argument("command", choices=["compile", "check"])
    ns = parser.parse_args(argv)
    try:
        config = load_config()
        if ns.command == "compile":
            changed = write_model()
            print(f"{MODEL_PATH}: {'written' if changed else 'unchanged'} ({len(config.audiences)} audiences)")
            return 0
        if not is_model_current():
            print(f"{MODEL_PATH} is not in step with audiences/*.yml: run `python -m cdp.activation compile`",
                  file=sys.stderr)
            return 1
        print(f"{len(config.audiences)} audiences and {len(config.destinations)} destinations are valid; "
              f"{MODEL_PATH.name} is in step")
        return 0
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
