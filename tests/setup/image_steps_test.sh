#!/usr/bin/env bash
# ctest setup.image_steps: the Docker image's install and check-install steps, run on this build as
# the Dockerfile runs them on its own: the server component into a staging prefix, then the
# installed server started from there must serve the docs page and Swagger UI from the prefix and
# link only libraries of the runtime package set.
#   image_steps_test.sh BUILD_DIR STAGING_PREFIX
set -euo pipefail
dev=$(cd "$(dirname "$0")/../../tools" && pwd)/dev.sh
build=$1 staging=$2
rm -rf "$staging"
"$dev" install "$build" "$staging"
"$dev" check-install "$staging"
