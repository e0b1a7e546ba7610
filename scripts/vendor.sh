#!/bin/sh
# Copy the pinned front-end files from node_modules into static/vendor (and axe into tests).
set -eu
N=node_modules
cp $N/htmx.org/dist/htmx.min.js $N/htmx.org/LICENSE static/vendor/htmx/
cp $N/htmx-ext-sse/dist/sse.min.js $N/htmx-ext-sse/LICENSE static/vendor/htmx-ext-sse/
cp $N/sortablejs/Sortable.min.js $N/sortablejs/LICENSE static/vendor/sortablejs/
cp $N/axe-core/axe.min.js $N/axe-core/LICENSE tests/e2e/vendor/
node -e 'for (const p of ["htmx.org","htmx-ext-sse","sortablejs","axe-core"]) { const j=require("./node_modules/"+p+"/package.json"); console.log(p, j.version, j.license||"MIT"); }' > static/vendor/VERSIONS.txt
