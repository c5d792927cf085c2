"""Files: the model file (safetensors + JSON metadata)."""
