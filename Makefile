# `make` builds everything (figures, results, report.pdf, the zip); `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LATEX_PACKAGES := texlive-xetex texlive-fonts-recommended texlive-plain-generic pandoc
FIGURES := task2b_binary_train_loss.png task2b_binary_train_accuracy.png \
	task2e_train_loss_with_shuffle.png task2e_train_accuracy_shuffle_difference.png \
	task3b_softmax_train_loss.png task3b_softmax_train_accuracy.png \
	task4b_softmax_weight.png task4c_l2_reg_accuracy.png task4e_l2_reg_norms.png

.PHONY: all venv data checks tasks extras report latex zip test clean

all: checks tasks extras report zip

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

data: venv
	$(PY) mnist.py

checks: data
	$(PY) task2a.py
	$(PY) task3a.py

tasks: data
	$(PY) task2.py
	$(PY) task3.py
	$(PY) task4.py

extras: tasks
	$(PY) extras.py

# The report: execute the notebook on the results above, then export it without code.
report: checks tasks extras latex
	$(VENV)/bin/jupyter nbconvert --log-level=WARN --to notebook --execute report.ipynb \
		--output report.executed.ipynb
	$(VENV)/bin/jupyter nbconvert --log-level=WARN --to pdf --no-input \
		report.executed.ipynb --output report
	@echo "wrote report.pdf"

# nbconvert's PDF export needs xelatex and pandoc (Debian packages, about 600 MB).
latex:
	@if command -v xelatex >/dev/null && command -v pandoc >/dev/null; then exit 0; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing $(LATEX_PACKAGES) for the PDF export"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			$(LATEX_PACKAGES) >/dev/null; \
	elif command -v apt-get >/dev/null && sudo -n true 2>/dev/null; then \
		echo "installing $(LATEX_PACKAGES) for the PDF export"; \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y \
			-qq $(LATEX_PACKAGES) >/dev/null; \
	else \
		echo "error: report.pdf needs xelatex and pandoc. Install them, then run make again:"; \
		echo "  sudo apt-get install $(LATEX_PACKAGES)"; \
		exit 1; \
	fi

zip: venv
	$(PY) create_submission_zip.py

test: data
	$(PY) -m pytest -q

clean:
	rm -rf results $(FIGURES) extra_*.png assignment_code.zip report.pdf \
		report.executed.ipynb
