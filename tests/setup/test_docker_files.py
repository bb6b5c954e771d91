#!/usr/bin/env python3
"""ctest setup.docker_files: what docker-compose.yaml and the Dockerfile promise, checked without
Docker (which cannot run on the build machines):

- compose publishes every port on 127.0.0.1 only, passes BASALT_REQUIREPASS through, and keeps
  /data in a volume; .env (where the password goes) is kept out of the image and out of git;
- the Dockerfile's build stage is nothing but tools/dev.sh calls (the ones CI runs: deps
  --build-only, build, install, check-install), its build compiles as CI's release build does (no
  other build type), its runtime stage installs the runtime package set
  alone and runs as a non-root user with /data as a volume.

Run from the source root."""
import re
import sys

import yaml

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


# --- docker-compose.yaml
with open("docker-compose.yaml") as f:
    compose = yaml.safe_load(f)
for name, service in compose["services"].items():
    for port in service.get("ports", []):
        spec = port if isinstance(port, str) else f"{port.get('host_ip', '')}:{port.get('published')}"
        check(
            str(spec).startswith("127.0.0.1:"),
            f"compose service {name} publishes {spec!r} beyond 127.0.0.1",
        )
    env = service.get("environment", {})
    check(
        isinstance(env, dict) and "${BASALT_REQUIREPASS" in str(env.get("BASALT_REQUIREPASS", "")),
        f"compose service {name} does not take BASALT_REQUIREPASS from the environment or .env",
    )
    check(
        any(str(v).endswith(":/data") for v in service.get("volumes", [])),
        f"compose service {name} keeps no volume at /data",
    )
with open(".dockerignore") as f:
    check(".env" in f.read().split(), ".dockerignore lets .env into the build context")
with open(".gitignore") as f:
    check("/.env" in f.read().split(), ".gitignore does not keep .env out of git")

# --- Dockerfile: stages and their instructions (continuation lines joined).
with open("Dockerfile") as f:
    text = re.sub(r"\\\n\s*", " ", f.read())
stages = []
for line in text.splitlines():
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    instruction, _, rest = line.partition(" ")
    if instruction.upper() == "FROM":
        stages.append([])
    stages[-1].append((instruction.upper(), rest.strip()))
check(len(stages) == 2, f"the Dockerfile has {len(stages)} stages, not a build and a runtime stage")
build, runtime = stages[0], stages[-1]

build_runs = [rest for instruction, rest in build if instruction == "RUN"]
for run in build_runs:
    check(re.fullmatch(r"tools/dev\.sh [a-z-]+( \S+)*", run) is not None,
          f"build stage step is not a tools/dev.sh call: {run}")
verbs = [run.split()[1] for run in build_runs if run.startswith("tools/dev.sh ")]
check(verbs == ["deps", "build", "install", "check-install"],
      f"build stage steps are {verbs}, not deps, build, install, check-install")
check(build_runs[:1] == ["tools/dev.sh deps --build-only"],
      "the build stage does not install the build packages alone (deps --build-only)")
build_steps = [run for run in build_runs if run.startswith("tools/dev.sh build ")]
check(all("CMAKE_BUILD_TYPE" not in run and "WERROR" not in run for run in build_steps),
      "the image's build step compiles otherwise than CI's release build (build type, -Werror)")
install = [run for run in build_runs if run.startswith("tools/dev.sh install ")]
check_install = [run for run in build_runs if run.startswith("tools/dev.sh check-install ")]
if install and check_install:
    prefix = install[0].split()[-1]
    check(check_install[0].split()[-1] == prefix, "check-install does not check the installed prefix")
    check(any(i == "COPY" and rest.startswith(f"--from=build {prefix}") for i, rest in runtime),
          f"the runtime stage does not copy the checked prefix {prefix}")

runtime_runs = [rest for instruction, rest in runtime if instruction == "RUN"]
check(any("dev.sh deps --runtime-only" in run for run in runtime_runs),
      "the runtime stage does not install the runtime package set (deps --runtime-only)")
check(not any("apt-get install" in run for run in runtime_runs),
      "the runtime stage installs packages outside tools/dev.sh's runtime set")
users = [rest for instruction, rest in runtime if instruction == "USER"]
check(users and users[-1] not in ("root", "0"), "the runtime stage runs as root")
check(any(i == "VOLUME" and "/data" in rest for i, rest in runtime), "no VOLUME /data")
check(any(i == "ENV" and rest == "BASALT_DIR=/data" for i, rest in runtime),
      "the image does not point the server's dir (dumps, AOF) at the /data volume")

for failure in failures:
    print("FAIL", failure)
if failures:
    sys.exit(1)
print("docker-compose.yaml, Dockerfile, .dockerignore: ok")
