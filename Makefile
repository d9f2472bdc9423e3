# The two commands a newcomer needs: `make train` and `make test`.
# Both first install the system packages that are missing (apt-get; sudo when not root).

SWIFT ?= swift

.PHONY: train test deps build release

deps:
	@./scripts/install-system-packages.sh

build: deps
	$(SWIFT) build -c release

release: build

# The default training: LeNet-300-100 with ARD dropout on Fashion-MNIST, the paper's recipe
# shortened to 30 epochs (lr decay from 15, regularizer annealed over 3), on the first GPU or
# else the CPU backend. A few minutes on a 2-core CPU; prints test error and compression, and
# ends by writing the run's report, runs/default/report.html, and printing its path.
# Weight histograms every 2 epochs give the report's log α heat map 16 columns.
TRAIN_FLAGS ?= --model lenet300 --objective ard --epochs 30 --decay-from 15 --anneal-epochs 3 --histogram-every 2 --out runs/default

train: build
	$(SWIFT) run -c release vdrop devices
	$(SWIFT) run -c release vdrop train $(TRAIN_FLAGS)

# Optimized: the CPU backend's numeric loops (SIMD lanes above all) run 10-50× slower in a
# debug build, which made the training tests take minutes. -enable-testing keeps @testable.
test: deps
	$(SWIFT) test -c release -Xswiftc -enable-testing
