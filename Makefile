# danso: `make run` to try it, `make test` to check it.  Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 8000
DEMO_SCALE ?= 1.0
# The suite on every core, a file to a worker (a file's fixtures are built once);
# 'make test PYTEST_PARALLEL=' runs it in one process.
PYTEST_PARALLEL ?= -n auto --dist loadfile

.PHONY: setup run test lint typecheck pytest bench messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)
	$(BIN)/python -m danso.translations

run: setup
	@echo "danso: chuẩn bị cơ sở dữ liệu và bản demo (lần đầu: sổ hộ Long Biên và số liệu mọi năm, khoảng 3 phút;"
	@echo "       'make run DEMO_SCALE=0.1' cho sổ nhỏ hơn) / preparing the database and the demo"
	$(BIN)/danso setup --demo --demo-scale $(DEMO_SCALE)
	@echo ""
	@echo "  danso chạy tại / is running at  http://$(HOST):$(PORT)/"
	@echo "  Đăng nhập / log in:  admin, hanoi, longbien, ngocthuy, bode, ctv, xem"
	@echo "  Mật khẩu / password: danso-demo"
	@echo "  Việc nền (nhập sổ, tính sẵn số liệu, nhắc hạn) / background work: danso worker"
	@echo ""
	$(BIN)/danso worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/danso runserver $(HOST):$(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy danso tests bench

pytest: setup
	$(BIN)/danso makemigrations --check --dry-run --settings danso.settings.test
	$(BIN)/danso spectacular --validate --fail-on-warn --file /dev/null --settings danso.settings.test
	$(BIN)/pytest $(PYTEST_PARALLEL)

test: lint typecheck pytest

bench: setup
	$(BIN)/python bench/units_bench.py
	$(BIN)/python bench/register_bench.py
	$(BIN)/python bench/search_bench.py
	$(BIN)/python bench/indicators_bench.py
	$(BIN)/python bench/limits_bench.py
	$(BIN)/python bench/screens_bench.py

messages: setup
	$(BIN)/danso makemessages --locale vi --locale en --ignore '.venv/*' --no-obsolete
	$(BIN)/python -m danso.translations

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
