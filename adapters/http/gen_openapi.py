#!/usr/bin/env python3
"""Converts api/openapi.yaml (the source of truth) to JSON and writes it as a C++ raw string in
adapters/http/openapi_json.inc, which the server embeds and serves at /api/v1/openapi.json.

    python3 adapters/http/gen_openapi.py           # regenerate
    python3 adapters/http/gen_openapi.py --check   # exit 1 if the .inc is out of date (CI)

Needs python3-yaml (Debian). The output is committed, so building needs neither."""

import json
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = ROOT / "api" / "openapi.yaml"
TARGET = ROOT / "adapters" / "http" / "openapi_json.inc"
DELIMITER = "openapi"


def render():
    doc = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    if f"){DELIMITER}\"" in text:
        raise SystemExit("the document contains the raw-string delimiter; change DELIMITER")
    # Split into chunks: compilers limit a single string literal's length (MSVC; GCC warns past
    # 64 KiB with -Woverlength-strings under -pedantic); adjacent literals concatenate.
    chunks = [text[i:i + 16000] for i in range(0, len(text), 16000)]
    body = "\n".join(f'    R"{DELIMITER}({c}){DELIMITER}"' for c in chunks)
    return ("// GENERATED FILE - DO NOT EDIT BY HAND.\n"
            "// api/openapi.yaml as JSON, made by adapters/http/gen_openapi.py; regenerate with\n"
            "//   python3 adapters/http/gen_openapi.py\n"
            "// Included by docs.cpp.\n\n"
            "// clang-format off\n"
            f"inline constexpr std::string_view kOpenApiJson =\n{body};\n"
            "// clang-format on\n")


def main():
    out = render()
    if "--check" in sys.argv[1:]:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != out:
            print(f"{TARGET.relative_to(ROOT)} is out of date: run python3 adapters/http/gen_openapi.py")
            return 1
        print("openapi_json.inc is up to date")
        return 0
    TARGET.write_text(out, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)} ({len(out)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
