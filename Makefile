# `make` builds what is out of date: each task script's figures and results, report.pdf and
# assignment_code.zip. `make test` runs the tests, `make data` fetches and verifies MNIST
# (and repairs a damaged file), `make -n` shows what `make` would run, `make clean` removes
# every output. Scripts that do not depend on each other run in parallel, one job per core,
# each with one BLAS thread (two jobs with two threads each on two cores run slower than in
# turn); each job's output is printed whole when it ends.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
VENV_READY := $(VENV)/.installed
MAKEFLAGS += --jobs=$(shell nproc 2>/dev/null || echo 2) --output-sync=target
export MPLBACKEND := Agg
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1

CODE_FILES := mnist.py utils.py trainer.py task2a.py task2.py task3a.py task3.py task4.py
# Each script's results depend on the script, every graded module it imports, and the driver
RECORD := workshop/record.py workshop/atomic.py trainer.py
TASK2A_CODE := task2a.py utils.py mnist.py $(RECORD)
TASK3A_CODE := task3a.py $(TASK2A_CODE)
TASK2_CODE := task2.py $(TASK2A_CODE)
TASK3_CODE := task3.py $(TASK3A_CODE)
TASK4_CODE := task4.py $(TASK3_CODE)

TASK2_FIGURES := task2b_binary_train_loss.png task2b_binary_train_accuracy.png \
	task2e_train_loss_with_shuffle.png task2e_train_accuracy_shuffle_difference.png
TASK3_FIGURES := task3b_softmax_train_loss.png task3b_softmax_train_accuracy.png
TASK4_FIGURES := task4b_softmax_weight.png task4c_l2_reg_accuracy.png task4e_l2_reg_norms.png
RESULTS := $(addprefix results/,task2a.json task3a.json task2.json task3.json task4.json)
DATA := $(addprefix data/,train-images-idx3-ubyte train-labels-idx1-ubyte \
	t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

.PHONY: all data test clean FORCE
.DELETE_ON_ERROR:

# The zip does not wait for the report: a report that fails to build still leaves it.
all: assignment_code.zip report.pdf

$(VENV_READY): requirements.txt
	@echo "setting up $(VENV) with the packages of requirements.txt (about 560 MB, 1-3 minutes)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -qq --upgrade pip
	$(PY) -m pip install -qq -r requirements.txt
	touch $@

# Fetched when absent; `make data` verifies all four files every time it is asked.
$(DATA) &: | $(VENV_READY)
	$(PY) workshop/fetch_mnist.py

data: | $(VENV_READY)
	$(PY) workshop/fetch_mnist.py

# The driver runs a script's main() and writes results/<script>.json last, so that file
# stands for all the script's outputs: an interrupted run leaves none, and make runs the
# script again. A script whose figures are not all there runs again too. As the course
# asks, the training starts once the sanity checks of task2a.py and task3a.py pass.
rerun_if_missing = $(if $(filter-out $(wildcard $(1)),$(1)),FORCE)
FORCE:

results/task2a.json: $(TASK2A_CODE) | $(DATA)
	$(PY) workshop/record.py task2a

results/task3a.json: $(TASK3A_CODE) | $(DATA)
	$(PY) workshop/record.py task3a

results/task2.json: $(TASK2_CODE) $(call rerun_if_missing,$(TASK2_FIGURES)) | results/task2a.json
	$(PY) workshop/record.py task2

results/task3.json: $(TASK3_CODE) $(call rerun_if_missing,$(TASK3_FIGURES)) | results/task3a.json
	$(PY) workshop/record.py task3

results/task4.json: $(TASK4_CODE) $(call rerun_if_missing,$(TASK4_FIGURES)) | results/task3a.json
	$(PY) workshop/record.py task4

# The report: execute the notebook on the results, then export it without its code with
# pip packages only (nbconvert to Markdown, pandoc to Typst, Typst to PDF; no LaTeX).
report.executed.ipynb: report.ipynb workshop/report_helpers.py workshop/record.py $(RESULTS)
	$(PY) workshop/export_report.py --execute-only

report.pdf: report.executed.ipynb workshop/export_report.py workshop/report_template.typ
	$(PY) workshop/export_report.py --no-execute

assignment_code.zip: $(CODE_FILES) create_submission_zip.py | $(VENV_READY)
	$(PY) create_submission_zip.py

test: | $(DATA)
	$(PY) -m pytest -q -n auto

clean:
	rm -rf results report.pdf report.executed.ipynb assignment_code.zip \
		$(TASK2_FIGURES) $(TASK3_FIGURES) $(TASK4_FIGURES) .report-* .*.tmp
