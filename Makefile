# `make` builds everything (figures, results, report.pdf, the zip); `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FIGURES := task2b_binary_train_loss.png task2b_binary_train_accuracy.png \
	task2e_train_loss_with_shuffle.png task2e_train_accuracy_shuffle_difference.png \
	task3b_softmax_train_loss.png task3b_softmax_train_accuracy.png \
	task4b_softmax_weight.png task4c_l2_reg_accuracy.png task4e_l2_reg_norms.png

.PHONY: all venv data checks tasks zip test clean

all: checks tasks zip

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

zip: venv
	$(PY) create_submission_zip.py

test: data
	$(PY) -m pytest -q tests

clean:
	rm -rf results $(FIGURES) assignment_code.zip report.pdf
