#!/usr/bin/env python3
"""Golden checkpoints for dscript's image models (docs/builtins.md § Models), made with diffusers.

    /work/venv-ref/bin/python scripts/make-model-goldens.py            # writes Tests/Fixtures/models/
    /work/venv-ref/bin/python scripts/make-model-goldens.py --from-dscript  # io for Tests/Fixtures/models/from_dscript/
    /work/venv-ref/bin/python scripts/make-model-goldens.py --check DIR FIXTURE  # a dscript-written folder

Each fixture folder is a diffusers `save_pretrained` folder (config.json +
diffusion_pytorch_model.safetensors, float16 weights to keep the files small) plus `io.safetensors`
holding fixed float32 inputs, the float32 outputs of the model (weights rounded to float16, computed in
float32) and gradients of a scalar loss with respect to a few weights. Seeds are fixed.

`--from-dscript` is the other direction, pinned in CI: the folders `from_dscript/unet` and
`from_dscript/vae` were written by dscript's `save_pretrained` (`.build/debug/dscript
scripts/make-dscript-fixtures.dscript`, float32 weights from dscript's seeded initialisation). This mode
loads each with diffusers' `from_pretrained(..., output_loading_info=True)`, fails (exit status 1) if
any missing, unexpected or mismatched key, any unused config key, or any difference between the file's
(key, shape) list and diffusers' state dict shows, and writes `io.safetensors` next to the weights:
fixed seeded inputs and diffusers' float32 outputs (UNet `out` for a tensor t, `out_t37` for t = 37;
VAE `mean`, `logvar`, `decoded` = decode(z)), with metadata `loaded_keys` (JSON [[key, shape], ...]
of diffusers' state dict), `loaded_keys_sha256`, and the (empty) missing/unexpected/mismatched lists.
Tests/DiffusionTests/DscriptFixtureTests.swift checks that dscript still writes those exact folders
and reproduces these outputs with `Pretrained.load` (1e-4), so no Python is needed in CI.

`--check DIR FIXTURE` is the by-hand version for any folder: DIR was written by dscript, e.g.
    dscript -e 'save_pretrained(from_pretrained("Tests/Fixtures/models/unet_attn"), "/tmp/u")'
and is loaded with diffusers' `from_pretrained`; its outputs on the inputs of fixture FIXTURE
(`unet_attn`, `unet_shift`, `vae_kl`) must equal the outputs stored there (exit status 1 if not).
CI covers this direction through the committed `from_dscript` fixtures above; run `--check` for
other configurations.
"""
import hashlib
import json
import os
import sys

import torch
from diffusers import AutoencoderKL, UNet2DConditionModel, UNet2DModel, VQModel
from safetensors.torch import load_file, save_file

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "models")
COMMAND = "/work/venv-ref/bin/python scripts/make-model-goldens.py"


def round_to_half(model):
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
        # random (not default) norm affine parameters, so a mix-up of weight and bias shows
        for name, p in model.named_parameters():
            if "norm" in name:
                p.copy_((p + 0.1 * torch.randn_like(p)).half().float())


def save_folder(model, name, io):
    folder = os.path.join(ROOT, name)
    model.half().save_pretrained(folder)
    model.float()
    io = {k: v.detach().float().contiguous() for k, v in io.items()}
    save_file(io, os.path.join(folder, "io.safetensors"), metadata={"command": COMMAND})
    with open(os.path.join(folder, "README.md"), "w") as f:
        f.write(f"Made by `{COMMAND}` (diffusers save_pretrained, float16 weights).\n"
                f"io.safetensors: {', '.join(sorted(io))}.\n")


def unet_io(model, x, t, grad_keys, class_labels=None):
    io = {"x": x, "t": t}
    extra = {}
    if class_labels is not None:
        io["class_labels"] = class_labels
        extra["class_labels"] = class_labels
    out = model(x, t, **extra).sample
    io["out"] = out
    io["out_t37"] = model(x, 37, **extra).sample
    loss = (out ** 2).mean()
    io["loss"] = loss.reshape(1)
    params = dict(model.named_parameters())
    grads = torch.autograd.grad(loss, [params[k] for k in grad_keys])
    for k, g in zip(grad_keys, grads):
        io["grad." + k] = g
    return io


def make_unets():
    torch.manual_seed(0)
    m = UNet2DModel(sample_size=8, in_channels=1, out_channels=1, block_out_channels=(16, 32),
                    down_block_types=("DownBlock2D", "AttnDownBlock2D"),
                    up_block_types=("AttnUpBlock2D", "UpBlock2D"),
                    layers_per_block=1, norm_num_groups=4, attention_head_dim=8)
    round_to_half(m)
    x = torch.randn(2, 1, 8, 8)
    t = torch.tensor([10.0, 500.0])
    save_folder(m, "unet_attn", unet_io(m, x, t, ["conv_in.weight", "down_blocks.1.attentions.0.to_q.weight",
                                                 "up_blocks.1.resnets.0.time_emb_proj.weight"]))

    torch.manual_seed(1)
    m = UNet2DModel(sample_size=8, in_channels=3, out_channels=2, block_out_channels=(16, 32),
                    down_block_types=("AttnDownBlock2D", "DownBlock2D"),
                    up_block_types=("UpBlock2D", "AttnUpBlock2D"),
                    layers_per_block=2, norm_num_groups=8, attention_head_dim=16,
                    resnet_time_scale_shift="scale_shift", flip_sin_to_cos=False, freq_shift=1,
                    downsample_padding=0, mid_block_scale_factor=1.5, center_input_sample=True,
                    norm_eps=1e-6)
    round_to_half(m)
    x = torch.rand(2, 3, 8, 8)
    t = torch.tensor([3.0, 999.0])
    save_folder(m, "unet_shift", unet_io(m, x, t, ["mid_block.attentions.0.to_k.weight",
                                                  "down_blocks.0.resnets.1.time_emb_proj.bias"]))


def make_class_unets():
    """Class-conditional UNets: an embedding table, a timestep projection and identity vectors."""
    base = dict(sample_size=8, in_channels=2, out_channels=2, block_out_channels=(8, 16),
                down_block_types=("DownBlock2D", "AttnDownBlock2D"), up_block_types=("AttnUpBlock2D", "UpBlock2D"),
                layers_per_block=1, norm_num_groups=4, attention_head_dim=8)
    x = torch.randn(3, 2, 8, 8, generator=torch.Generator().manual_seed(5))
    t = torch.tensor([10.0, 500.0, 999.0])
    cases = [
        ("unet_class", dict(num_class_embeds=5), torch.tensor([0, 4, 2])),
        ("unet_class_timestep", dict(class_embed_type="timestep"), torch.tensor([3.0, 70.0, 250.0])),
        ("unet_class_identity", dict(class_embed_type="identity"),
         torch.randn(3, 32, generator=torch.Generator().manual_seed(6))),
    ]
    for i, (name, extra, labels) in enumerate(cases):
        torch.manual_seed(10 + i)
        m = UNet2DModel(**base, **extra)
        round_to_half(m)
        grads = ["conv_in.weight"] + (["class_embedding.weight"] if "num_class_embeds" in extra else
                                      ["class_embedding.linear_1.weight"] if extra.get("class_embed_type") == "timestep" else [])
        save_folder(m, name, unet_io(m, x, t, grads, class_labels=labels))


def make_cond_unets():
    """UNet2DConditionModel on tiny configs: Stable Diffusion's layout (conv projections, one transformer
    layer, heads from attention_head_dim), and one with linear projections, two transformer layers,
    per-block heads (attention_head_dim as a list: diffusers refuses num_attention_heads) and layers, scale_shift time conditioning, class labels and 1x1 / 5x5 conv kernels."""
    cases = [
        ("unet_cond", dict(sample_size=8, in_channels=4, out_channels=4, block_out_channels=(8, 16), layers_per_block=1,
                           down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
                           up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"), cross_attention_dim=12,
                           attention_head_dim=2, norm_num_groups=4), None, 12),
        ("unet_cond_linear", dict(sample_size=8, in_channels=3, out_channels=2, block_out_channels=(8, 16),
                                  layers_per_block=(1, 2), down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
                                  up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D"), cross_attention_dim=8,
                                  attention_head_dim=(2, 4), transformer_layers_per_block=2, use_linear_projection=True,
                                  norm_num_groups=4, resnet_time_scale_shift="scale_shift", num_class_embeds=3,
                                  conv_in_kernel=1, conv_out_kernel=5, flip_sin_to_cos=False, freq_shift=1,
                                  upcast_attention=True), torch.tensor([2, 0]), 8),
    ]
    for i, (name, config, labels, context_dim) in enumerate(cases):
        torch.manual_seed(30 + i)
        m = UNet2DConditionModel(**config)
        round_to_half(m)
        g = torch.Generator().manual_seed(31 + i)
        x = torch.randn(2, config["in_channels"], 8, 8, generator=g)
        t = torch.tensor([20.0, 800.0])
        context = torch.randn(2, 5, context_dim, generator=g)
        extra = {} if labels is None else {"class_labels": labels}
        out = m(x, t, encoder_hidden_states=context, **extra).sample
        io = {"x": x, "t": t, "context": context, "out": out,
              "out_t37": m(x, 37, encoder_hidden_states=context, **extra).sample}
        if labels is not None:
            io["class_labels"] = labels
        loss = (out ** 2).mean()
        io["loss"] = loss.reshape(1)
        keys = ["conv_in.weight", "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight",
                "down_blocks.0.attentions.0.transformer_blocks.0.ff.net.0.proj.weight", "up_blocks.1.attentions.0.proj_in.weight",
                "mid_block.attentions.0.transformer_blocks.0.attn1.to_q.weight"]
        params = dict(m.named_parameters())
        context = context.clone().requires_grad_()
        grads = torch.autograd.grad(loss, [params[k] for k in keys])
        for k, gk in zip(keys, grads):
            io["grad." + k] = gk
        save_folder(m, name, io)


def make_vae():
    torch.manual_seed(2)
    m = AutoencoderKL(in_channels=3, out_channels=3, block_out_channels=(16, 32),
                      down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
                      up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
                      layers_per_block=1, latent_channels=4, norm_num_groups=8, sample_size=16)
    round_to_half(m)
    x = torch.randn(2, 3, 16, 16)
    z = torch.randn(2, 4, 8, 8)
    post = m.encode(x).latent_dist
    decoded = m.decode(z).sample
    io = {"x": x, "z": z, "mean": post.mean, "logvar": post.logvar, "decoded": decoded,
          "forward": m(x).sample}
    loss = (decoded ** 2).mean() + post.kl().mean()
    params = dict(m.named_parameters())
    keys = ["decoder.conv_in.weight", "encoder.mid_block.attentions.0.to_v.weight", "quant_conv.bias"]
    for k, g in zip(keys, torch.autograd.grad(loss, [params[k] for k in keys])):
        io["grad." + k] = g
    io["loss"] = loss.reshape(1)
    save_folder(m, "vae_kl", io)


def make_vq():
    """VQModel: encode, quantize (indices), decode with and without quantization, gradients through the
    straight-through estimator and the codebook loss."""
    torch.manual_seed(3)
    m = VQModel(in_channels=3, out_channels=3, block_out_channels=(16, 32),
                down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
                up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
                layers_per_block=1, latent_channels=3, vq_embed_dim=4, num_vq_embeddings=32, norm_num_groups=8,
                sample_size=16, scaling_factor=0.5)
    round_to_half(m)
    x = torch.randn(2, 3, 16, 16)
    with torch.no_grad():  # codes near the latents themselves, so that many of them are used
        rows = m.encode(x).latents.permute(0, 2, 3, 1).reshape(-1, 4)
        picks = rows[torch.randperm(rows.shape[0])[:32]]
        m.quantize.embedding.weight.copy_((picks + 0.05 * torch.randn_like(picks)).half().float())
    h = m.encode(x).latents
    quant, loss, (_, _, indices) = m.quantize(h)
    decoded = m.decode(h)
    io = {"x": x, "latents": h, "quantized": quant, "indices": indices.reshape(2, 8, 8).float(),
          "codebook_loss": loss.reshape(1), "decoded": decoded.sample,
          "decoded_unquantized": m.decode(h, force_not_quantize=True).sample}
    total = (decoded.sample ** 2).mean() + decoded.commit_loss.mean()
    params = dict(m.named_parameters())
    keys = ["encoder.conv_in.weight", "decoder.conv_out.weight", "quantize.embedding.weight", "quant_conv.bias"]
    for k, g in zip(keys, torch.autograd.grad(total, [params[k] for k in keys])):
        io["grad." + k] = g
    io["loss"] = total.reshape(1)
    save_folder(m, "vq", io)


def make_act_models():
    """act_fn other than SiLU: diffusers uses it in the resnets only; UNet2DModel's time and class
    embeddings and its output activation, and the VAE coders' output activation, stay SiLU."""
    torch.manual_seed(20)
    m = UNet2DModel(sample_size=8, in_channels=2, out_channels=2, block_out_channels=(8, 16),
                    down_block_types=("DownBlock2D", "AttnDownBlock2D"), up_block_types=("AttnUpBlock2D", "UpBlock2D"),
                    layers_per_block=1, norm_num_groups=4, attention_head_dim=8, act_fn="gelu",
                    class_embed_type="timestep")
    round_to_half(m)
    x = torch.randn(2, 2, 8, 8, generator=torch.Generator().manual_seed(21))
    save_folder(m, "unet_gelu", unet_io(m, x, torch.tensor([10.0, 500.0]), ["conv_in.weight", "class_embedding.linear_1.weight"],
                                        class_labels=torch.tensor([3.0, 70.0])))
    torch.manual_seed(22)
    m = AutoencoderKL(in_channels=3, out_channels=3, block_out_channels=(8, 16),
                      down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
                      up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
                      layers_per_block=1, latent_channels=2, norm_num_groups=4, sample_size=8, act_fn="relu")
    round_to_half(m)
    x = torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(23))
    z = torch.randn(2, 2, 4, 4, generator=torch.Generator().manual_seed(24))
    with torch.no_grad():
        post = m.encode(x).latent_dist
        save_folder(m, "vae_relu", {"x": x, "z": z, "mean": post.mean, "logvar": post.logvar, "decoded": m.decode(z).sample})


def make_weight_formats():
    """One tiny UNet in diffusers' other weight layouts: PyTorch .bin (torch.save zip format), the fp16
    variant file name, safetensors shards with their index, and .bin shards with theirs. io.safetensors
    (in formats/) holds the output every folder must give."""
    torch.manual_seed(4)
    m = UNet2DModel(sample_size=8, in_channels=1, out_channels=1, block_out_channels=(4, 8),
                    down_block_types=("DownBlock2D", "AttnDownBlock2D"), up_block_types=("AttnUpBlock2D", "UpBlock2D"),
                    layers_per_block=1, norm_num_groups=2, attention_head_dim=4)
    round_to_half(m)
    root = os.path.join(ROOT, "formats")
    m.half()
    m.save_pretrained(os.path.join(root, "bin"), safe_serialization=False)
    m.save_pretrained(os.path.join(root, "variant"), variant="fp16")
    m.save_pretrained(os.path.join(root, "sharded"), max_shard_size="12KB")
    m.save_pretrained(os.path.join(root, "sharded_bin"), max_shard_size="12KB", safe_serialization=False)
    m.float()
    x = torch.randn(2, 1, 8, 8, generator=torch.Generator().manual_seed(4))
    t = torch.tensor([3.0, 700.0])
    save_file({"x": x, "t": t, "out": m(x, t).sample.detach()}, os.path.join(root, "io.safetensors"),
              metadata={"command": COMMAND})
    with open(os.path.join(root, "README.md"), "w") as f:
        f.write(f"Made by `{COMMAND}`: one tiny UNet2DModel (float16 weights) saved by diffusers as "
                "`bin/` (safe_serialization=False), `variant/` (variant=\"fp16\"), `sharded/` "
                "(max_shard_size=\"12KB\") and `sharded_bin/` (both); io.safetensors: x, t, out.\n")


FROM_DSCRIPT_COMMAND = COMMAND + " --from-dscript"


def load_from_dscript(cls, folder):
    """diffusers' model from a dscript-written folder; exits 1 on any key or config problem."""
    problems = []
    config, unused = cls.load_config(folder, return_unused_kwargs=True)
    _, unused_init, _ = cls.extract_init_dict(config)
    unused = sorted(k for k in list(unused) + list(unused_init) if not k.startswith("_"))
    if unused:
        problems.append(f"config keys diffusers does not use: {unused}")
    model, info = cls.from_pretrained(folder, output_loading_info=True)
    for kind in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"):
        if info.get(kind):
            problems.append(f"{kind}: {info[kind]}")
    file_keys = {k: list(v.shape) for k, v in load_file(os.path.join(folder, "diffusion_pytorch_model.safetensors")).items()}
    loaded = sorted((k, list(v.shape)) for k, v in model.state_dict().items())
    if sorted(file_keys.items()) != loaded:
        problems.append("the file's (key, shape) list differs from diffusers' state dict")
    if any(p.dtype != torch.float32 for p in model.parameters()):
        problems.append("weights did not load as float32")
    if problems:
        print(f"{cls.__name__} from {folder}:\n  " + "\n  ".join(problems))
        sys.exit(1)
    model.eval()
    keys_json = json.dumps(loaded, separators=(",", ":"))
    metadata = {"command": FROM_DSCRIPT_COMMAND, "loaded_keys": keys_json,
                "loaded_keys_sha256": hashlib.sha256(keys_json.encode()).hexdigest(),
                "missing_keys": "[]", "unexpected_keys": "[]", "mismatched_keys": "[]"}
    return model, metadata


def from_dscript():
    root = os.path.join(ROOT, "from_dscript")
    with torch.no_grad():
        folder = os.path.join(root, "unet")
        m, metadata = load_from_dscript(UNet2DModel, folder)
        g = torch.Generator().manual_seed(21)
        x = torch.randn(2, 2, 8, 8, generator=g)
        t = torch.tensor([7.0, 640.0])
        io = {"x": x, "t": t, "out": m(x, t).sample, "out_t37": m(x, 37).sample}
        save_file({k: v.float().contiguous() for k, v in io.items()}, os.path.join(folder, "io.safetensors"), metadata=metadata)
        print(f"UNet2DModel: {len(json.loads(metadata['loaded_keys']))} keys loaded, none missing/unexpected/mismatched")

        folder = os.path.join(root, "vae")
        m, metadata = load_from_dscript(AutoencoderKL, folder)
        g = torch.Generator().manual_seed(22)
        x = torch.randn(2, 1, 8, 8, generator=g)
        z = torch.randn(2, 2, 4, 4, generator=g)
        post = m.encode(x).latent_dist
        io = {"x": x, "z": z, "mean": post.mean, "logvar": post.logvar, "decoded": m.decode(z).sample}
        save_file({k: v.float().contiguous() for k, v in io.items()}, os.path.join(folder, "io.safetensors"), metadata=metadata)
        print(f"AutoencoderKL: {len(json.loads(metadata['loaded_keys']))} keys loaded, none missing/unexpected/mismatched")
    print("wrote", os.path.normpath(root))


def check(folder, fixture):
    with open(os.path.join(folder, "config.json")) as f:
        cls = json.load(f)["_class_name"]
    io = load_file(os.path.join(ROOT, fixture, "io.safetensors"))
    with torch.no_grad():
        if cls == "UNet2DModel":
            m = UNet2DModel.from_pretrained(folder)
            got, want = m(io["x"], io["t"]).sample, io["out"]
        else:
            m = AutoencoderKL.from_pretrained(folder)
            got = torch.cat([m.encode(io["x"]).latent_dist.mean.flatten(), m.decode(io["z"]).sample.flatten()])
            want = torch.cat([io["mean"].flatten(), io["decoded"].flatten()])
    err = (got - want).abs().max().item()
    print(f"{cls} from {folder}: max |diffusers - dscript| = {err:.3g}")
    sys.exit(0 if err < 1e-4 else 1)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--check":
        check(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 2 and sys.argv[1] == "--from-dscript":
        from_dscript()
    else:
        make_unets()
        make_class_unets()
        make_cond_unets()
        make_vae()
        make_vq()
        make_act_models()
        make_weight_formats()
        print("wrote", os.path.normpath(ROOT))
