"""Running sections: the Papermill engine, warm kernels, the worker pool and signals."""
