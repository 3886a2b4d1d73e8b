"""Writes every golden script of Tests/scripts/{tensor,autograd,nn} from its PyTorch mirror.

Run: /work/venv-ref/bin/python Tests/scripts/reference/make_goldens.py
"""
import grad_nn_goldens
import tensor_goldens

for golden in tensor_goldens.ALL + grad_nn_goldens.ALL:
    golden.write()
print("goldens written")
