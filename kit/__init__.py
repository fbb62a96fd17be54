"""mmkit: the host side of the kernel build kit (config, generation, build, boot, results)."""
