# The two commands a newcomer needs: `make train` and `make test`.
# Both first install the system packages that are missing (apt-get; sudo when not root).

SWIFT ?= swift

.PHONY: train test deps build release

deps:
	@./scripts/install-system-packages.sh

build: deps
	$(SWIFT) build -c release

release: build

# The default training. Until `vdrop train` lands this lists the OpenCL devices vdrop sees.
train: build
	$(SWIFT) run -c release vdrop devices

test: deps
	$(SWIFT) test
