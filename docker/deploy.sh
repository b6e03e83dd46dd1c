#!/bin/sh
# The production file tree of the `switchyard` command in OUT (the Dockerfile and test/docker run this same
# script): `pnpm deploy --prod` of the CLI — production dependencies only, so no dev dependencies, testkit or
# testcontainers — with a flat node_modules. Node strips TypeScript types only outside node_modules, so the
# workspace packages are moved out to OUT/packages and linked back.
# Usage: docker/deploy.sh OUT [extra pnpm flags, e.g. --prefer-offline]
set -eu
out="$1"
shift
pnpm --filter @switchyard/cli deploy --legacy --prod --config.node-linker=hoisted "$@" "$out"
mv "$out/node_modules/@switchyard" "$out/packages"
ln -s ../packages "$out/node_modules/@switchyard"
