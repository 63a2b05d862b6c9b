# Quick start: `make train`, then `make export` and `make serve`; `make test` runs every check,
# `make check` the fast ones (lint, types, unit tests, docs; no training, no browser, no root)
# while you work; `make report` shows what the model gets wrong. README.md, then docs/, say more.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHROMIUM ?= /usr/bin/chromium
SHARED ?= ../shared/data
# make train trains configs/digits.toml, the page's digits recipe, where its data is: MNIST and
# UNIPEN under ../shared/data, and pendigits' writers 1-20, which it splits from there into
# PEN_WRITERS first (python -m trainer split-writers; 21-30 are kept apart to measure on).
# DATA= trains other data with the recipe's settings; without the recipe's data, that is `mnist`:
# MNIST from the Keras cache, else a download, else the offline sample. INIT= fine-tunes that model
# on DATA instead, with FINE_TUNE_RECIPE's settings (docs/teaching.md).
DIGITS_RECIPE := configs/digits.toml
FINE_TUNE_RECIPE := configs/fine-tune.toml
PEN_WRITERS := build/pendigits-writers
RECIPE_DATA := $(and $(wildcard $(SHARED)/mnist),$(wildcard $(SHARED)/unipen),$(wildcard $(SHARED)/pendigits/pendigits-orig.tra))
INIT ?=
DATA ?= $(if $(INIT)$(RECIPE_DATA),,mnist)
MODEL ?= models/mnist
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian's font for kana and kanji labels in the report's figures: `make report` and `make test`
# install it (root, through apt); without it the figures draw those labels as boxes (`make check`
# needs no root).
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
# The sets `make report` adds to the model's own test split: other people's digits, scanned and
# written with a pen. For a model of other labels: make report MODEL=... REPORT_DATA=
REPORT_DATA ?= $(SHARED)/semeion $(SHARED)/optdigits $(SHARED)/ujipenchars/digits \
	$(PEN_WRITERS)/pendigits-orig.tes $(SHARED)/unipen/gmd $(SHARED)/unipen/val

.PHONY: setup train train-japanese export export-japanese serve report bench test check lint clean

setup: $(VENV)/.installed node_modules/.installed web/vendor/files.txt

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# web/vendor: the page's TF.js, bundled by esbuild (tfjs/tf.js says what it holds), and the wasm
# backend's binaries. tfjs-backend-wasm picks one by what the browser can do (getPathToWasmBinary
# in its backend_wasm.js): -threaded-simd with SIMD and threads, -simd with SIMD alone, the plain
# build with neither. Every current browser has SIMD (Chrome 91, Firefox 89, Safari 16.4); threads
# need a SharedArrayBuffer, which only a cross-origin isolated page has. So the first visit runs
# -simd, and every later one -threaded-simd, online or offline, once the service worker's headers
# isolate the page: both are cached in advance. The plain build, for browsers without SIMD, and
# tf-fallback.js (webgl and cpu, for browsers where wasm cannot start) are fetched only by the
# browsers that need them, and cached by the service worker as they are fetched.
WASM_DIST := node_modules/@tensorflow/tfjs-backend-wasm/dist
PRECACHED_WASM := tfjs-backend-wasm-simd.wasm tfjs-backend-wasm-threaded-simd.wasm
ON_DEMAND_WASM := tfjs-backend-wasm.wasm
ESBUILD := node_modules/.bin/esbuild --bundle --minify --target=es2020 --log-level=warning \
	--legal-comments=linked
# files.txt names the files the service worker caches in advance, one a line; vendor/ also holds
# the files fetched on demand and the licence notices (*.LEGAL.txt, which no visitor needs to
# download). The page's Content-Security-Policy forbids evaluating strings: the build refuses a
# script that would.
web/vendor/files.txt: $(wildcard tfjs/*) Makefile node_modules/.installed
	mkdir -p web/vendor
	rm -f web/vendor/*
	$(ESBUILD) tfjs/tf.js --format=iife --global-name=tf --external:./tf-fallback.js \
		--outfile=web/vendor/tf.js
	$(ESBUILD) tfjs/fallback.js --format=esm --alias:@tensorflow/tfjs-core=./tfjs/global-tf.cjs \
		--outfile=web/vendor/tf-fallback.js
	! grep -qE 'new Function|(^|[^.[:alnum:]_$$])eval\(' web/vendor/*.js \
		|| { echo "web/vendor: a script evaluates strings, which the page's CSP forbids"; exit 1; }
	cp $(addprefix $(WASM_DIST)/,$(PRECACHED_WASM) $(ON_DEMAND_WASM)) web/vendor/
	printf '%s\n' tf.js $(PRECACHED_WASM) > $@

$(CHROMIUM):
	$(SUDO) apt-get update
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y chromium

$(CJK_FONT):
	$(SUDO) apt-get update
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y fonts-noto-cjk

train: $(VENV)/.installed node_modules/.installed $(if $(DATA)$(INIT),,$(PEN_WRITERS)/pendigits-orig.tes)
	$(if $(INIT)$(RECIPE_DATA),,@echo "make train: $(DATA) alone, without real pen digits (the data of $(DIGITS_RECIPE) is not in $(SHARED))")
	$(PY) -m trainer train --out $(MODEL) $(if $(INIT),--init $(INIT) --config $(FINE_TUNE_RECIPE),--config $(DIGITS_RECIPE)) \
		$(foreach path,$(DATA),--data $(path)) $(if $(FORCE),--force)

# pendigits' 30 writers apart: 1-20 to learn from (make train), 21-30 to measure on.
$(PEN_WRITERS)/pendigits-orig.tes: | $(VENV)/.installed
	$(PY) -m trainer split-writers $(SHARED)/pendigits/pendigits-orig.tra --out $(PEN_WRITERS)

# The page's model in float16: half the download, and no answer of the default digits model
# changed by it (docs/export.md). QUANTIZE=none, uint8 or head-uint8 (float16, the output
# layer 8-bit) choose otherwise: python -m export convert --help
# NAME= puts it beside the default model, in web/models/NAME/ (the page's ?model=NAME); either
# way the export adds it to the site's catalog, web/models.json, which the page's picker lists.
QUANTIZE ?= float16
NAME ?=
export: setup $(CHROMIUM)
	$(PY) -m export convert $(MODEL) --out $(if $(NAME),web/models/$(NAME),web/model) --force \
		--quantize $(QUANTIZE)

# The Japanese model (configs/japanese.toml: kana and the jōyō kanji from KanjiVG, about an hour
# on 2 CPU cores) and its export as the page ships it: head-uint8, the output layer 8-bit and
# the rest float16, 2.9 MB (float16 is 3.5 MB; what each costs: BENCHMARKS.md).
JAPANESE ?= models/japanese
JAPANESE_QUANTIZE := head-uint8
train-japanese: $(JAPANESE)/classifier.keras

$(JAPANESE)/classifier.keras: | $(VENV)/.installed
	$(PY) -m trainer train --config configs/japanese.toml --out $(JAPANESE)

export-japanese:
	$(MAKE) export MODEL=$(JAPANESE) NAME=japanese QUANTIZE=$(JAPANESE_QUANTIZE)

# MODEL_DIR/report/index.html and metrics.json; the sets side by side are printed here too.
report: $(VENV)/.installed $(CJK_FONT) $(filter $(PEN_WRITERS)/%,$(REPORT_DATA))
	$(PY) -m trainer evaluate $(MODEL) $(foreach path,$(REPORT_DATA),--data $(path))

# Every benchmark, each printing its table (BENCHMARKS.md says what each measures and on what).
# The Japanese ones read the Japanese model and an export of it of their own, as shipped: each is
# made where it is missing, the model by training it (make train-japanese).
WEB_MODEL ?= web/model
JAPANESE_EXPORT := build/japanese-export
# A second model for the first visit's figures: the first one exported with NAME=, if any.
SECOND_MODEL ?= $(patsubst %/model.json,%,$(firstword $(wildcard web/models/*/model.json)))
bench: setup $(CHROMIUM) $(PEN_WRITERS)/pendigits-orig.tes $(JAPANESE_EXPORT)/model.json
	$(PY) -m benchmarks.pen_digits --model $(WEB_MODEL) --pendigits $(PEN_WRITERS)
	$(PY) -m benchmarks.first_visit --model $(WEB_MODEL) $(SECOND_MODEL:%=--second %)
	$(PY) -m benchmarks.page_store --export $(WEB_MODEL)
	$(PY) -m benchmarks.kanji_model
	$(PY) -m benchmarks.predict_speed --model $(WEB_MODEL) --large build/kanji-model/none --repeats 200
	$(PY) -m benchmarks.model_speed $(WEB_MODEL)
	$(PY) -m benchmarks.model_speed build/kanji-model/none
	$(PY) -m benchmarks.teach_writers --model $(MODEL) --pendigits $(PEN_WRITERS)/pendigits-orig.tes
	$(PY) -m benchmarks.teach_writers --page --export $(WEB_MODEL) --pendigits $(PEN_WRITERS)/pendigits-orig.tes \
		--uji $(SHARED)/ujipenchars --unipen $(SHARED)/unipen --more $(SHARED)/unipen-more
	$(PY) -m benchmarks.fine_tune_symbol --model $(MODEL) --unipen $(SHARED)/unipen --more $(SHARED)/unipen-more
	$(PY) -m benchmarks.held_out $(MODEL)
	node benchmarks/ranking.mjs
	node benchmarks/fit_head.mjs
	$(PY) -m benchmarks.augmentation --rounds 5
	$(PY) -m benchmarks.serve_load
	$(PY) -m benchmarks.report_speed $(MODEL) $(foreach path,$(REPORT_DATA),--data $(path))
	$(PY) -m export verify $(JAPANESE) --export $(JAPANESE_EXPORT) --backends wasm
	$(PY) -m benchmarks.japanese_model $(JAPANESE)
	$(PY) -m benchmarks.japanese_teach $(JAPANESE_EXPORT) --characters 300
	$(PY) -m benchmarks.predict_speed --model $(WEB_MODEL) --large $(JAPANESE_EXPORT) --ratios 1 --repeats 50
	$(PY) -m benchmarks.model_speed $(JAPANESE_EXPORT)

$(JAPANESE_EXPORT)/model.json: $(JAPANESE)/classifier.keras | setup $(CHROMIUM)
	$(PY) -m export convert $(JAPANESE) --out $(JAPANESE_EXPORT) --force --quantize $(JAPANESE_QUANTIZE)

# HOST=0.0.0.0 serves a LAN too; CERT= and KEY= (PEM files) serve https, which a browser needs
# before it keeps an offline copy anywhere but localhost (docs/offline.md).
HOST ?= 127.0.0.1
CERT ?=
KEY ?=
serve: web/vendor/files.txt
	$(PY) -m export serve web --host $(HOST) --port $(PORT) $(CERT:%=--cert %) $(KEY:%=--key %)

lint: $(VENV)/.installed
	$(PY) -m ruff check .

# The types: mypy over trainer/, export/, runfolder/ and benchmarks/ (pyproject.toml); tsc over
# the page's JSDoc (tsconfig.json, and tsconfig.strict.json and tsconfig.worker.json: the files
# with strict null checks on, and the workers).
check: $(VENV)/.installed node_modules/.installed lint
	$(PY) -m mypy
	node_modules/.bin/tsc --project tsconfig.json
	node_modules/.bin/tsc --project tsconfig.strict.json
	node_modules/.bin/tsc --project tsconfig.worker.json
	node --test tests/js/
	$(PY) -m pytest -m "not slow and not browser"

# Two workers, a test file each at a time (so a file's fixtures are made once): most tests spend
# half their time waiting on a subprocess or Chromium (docs/experiments.md, "Test suite").
test: setup $(CHROMIUM) $(CJK_FONT) lint
	node --test tests/js/
	$(PY) -m pytest --numprocesses 2 --dist loadfile --durations=15

clean:
	rm -rf $(VENV) node_modules web/vendor web/model web/models web/models.json *.egg-info
