# The two commands of the README. Everything else is in scripts/.
.PHONY: run test bench
run:   ## install what is missing, build the page, serve page + relay on 127.0.0.1:6503
	scripts/run.sh
test:  ## install what is missing (browsers, drivers, coturn too), run every test
	scripts/test.sh
bench: ## call-setup and bundle-size figures (not a test)
	scripts/bench.sh
