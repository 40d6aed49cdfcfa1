# `make` builds what is out of date: the figures and results of each script whose code
# changed, report.pdf and assignment_code.zip. `make test` runs the tests, `make -n` shows
# what `make` would run, `make clean` removes every output.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
VENV_READY := $(VENV)/.installed
# The scripts only write files; no window is ever opened.
export MPLBACKEND := Agg

# Each script's outputs depend on the script and every project module it imports.
UTILS_CODE := utils.py mnist.py
TASK2A_CODE := task2a.py $(UTILS_CODE)
TASK3A_CODE := task3a.py $(TASK2A_CODE)
TASK2_CODE := task2.py trainer.py $(TASK2A_CODE)
TASK3_CODE := task3.py trainer.py $(TASK3A_CODE)
TASK4_CODE := task4.py $(TASK3_CODE)
EXTRAS_CODE := extras.py analysis.py $(TASK2_CODE) $(TASK3_CODE)
CODE_FILES := mnist.py utils.py trainer.py task2a.py task2.py task3a.py task3.py task4.py

TASK2_FIGURES := task2b_binary_train_loss.png task2b_binary_train_accuracy.png \
	task2e_train_loss_with_shuffle.png task2e_train_accuracy_shuffle_difference.png
TASK3_FIGURES := task3b_softmax_train_loss.png task3b_softmax_train_accuracy.png
TASK4_FIGURES := task4b_softmax_weight.png task4c_l2_reg_accuracy.png task4e_l2_reg_norms.png
EXTRAS_FIGURES := extra_gradient_check.png extra_shuffle_comparison.png extra_seeds.png \
	extra_lr_sweep.png extra_confusion_matrix.png
FIGURES := $(TASK2_FIGURES) $(TASK3_FIGURES) $(TASK4_FIGURES) $(EXTRAS_FIGURES)
# What each script writes besides its main results file, results/<script>.json
TASK2_OUTPUTS := $(TASK2_FIGURES)
TASK3_OUTPUTS := $(TASK3_FIGURES)
TASK4_OUTPUTS := $(TASK4_FIGURES) results/task4_weights.npz
EXTRAS_OUTPUTS := $(EXTRAS_FIGURES)
FINISHED := $(addprefix results/,task2a.json task3a.json task2.json task3.json task4.json \
	extras.json)
DATA := $(addprefix data/,train-images-idx3-ubyte train-labels-idx1-ubyte \
	t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

.PHONY: all test clean FORCE
.DELETE_ON_ERROR:

# The zip comes first: it is built before the report, so a report that fails to build
# still leaves an up-to-date zip (`make -k` goes on with everything else as well).
all: assignment_code.zip report.pdf

# pip -qq: errors only (its warnings here are about pip's own set-up, nothing to act on)
$(VENV_READY): requirements.txt
	@echo "setting up $(VENV) with the packages of requirements.txt (about 760 MB, 1-3 minutes)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -qq --upgrade pip
	$(PY) -m pip install -qq -r requirements.txt
	touch $@

# Fetches MNIST if it is not there (every script verifies it again when it loads it).
$(DATA): | $(VENV_READY)
	$(PY) mnist.py

# A script writes its main results file last, so that file stands for all its outputs: it
# is there and newer than the code only when the script finished; after an interrupted run
# make runs the script again. A script whose other outputs are not all there runs again too.
# As the course asks, the training runs start only once the sanity checks (task2a.py and
# task3a.py) pass.
rerun_if_missing = $(if $(filter-out $(wildcard $(1)),$(1)),FORCE)
FORCE:

results/task2a.json: $(TASK2A_CODE) | $(DATA)
	$(PY) task2a.py

results/task3a.json: $(TASK3A_CODE) | $(DATA)
	$(PY) task3a.py

results/task2.json: $(TASK2_CODE) $(call rerun_if_missing,$(TASK2_OUTPUTS)) | results/task2a.json
	$(PY) task2.py

results/task3.json: $(TASK3_CODE) $(call rerun_if_missing,$(TASK3_OUTPUTS)) | results/task3a.json
	$(PY) task3.py

results/task4.json: $(TASK4_CODE) $(call rerun_if_missing,$(TASK4_OUTPUTS)) | results/task3a.json
	$(PY) task4.py

results/extras.json: $(EXTRAS_CODE) results/task2.json results/task3.json results/task4.json \
		$(call rerun_if_missing,$(EXTRAS_OUTPUTS))
	$(PY) extras.py

# The report: execute the notebook on the results (the kernel talks over local sockets,
# ipc, not TCP), then export it without its code, with pip packages only: nbconvert to
# Markdown, pandoc to Typst, Typst to PDF (export_report.py; no LaTeX, nothing installed).
report.executed.ipynb: report.ipynb $(FINISHED)
	$(PY) export_report.py --execute-only

report.pdf: report.executed.ipynb export_report.py report_template.typ | $(VENV_READY)
	$(PY) export_report.py --no-execute

assignment_code.zip: $(CODE_FILES) create_submission_zip.py | $(VENV_READY)
	$(PY) create_submission_zip.py

test: $(DATA)
	$(PY) -m pytest -q

clean:
	rm -rf results $(FIGURES) assignment_code.zip report.pdf report.executed.ipynb \
		.report*.tmp* .*.tmp
