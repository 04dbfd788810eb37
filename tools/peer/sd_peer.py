#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The peer for `medtraverse-cli bench` (issue 10): the same Stable Diffusion pipeline the way Hugging Face
diffusers runs it on a CPU -- PyTorch eager modules called from Python, one operator at a time, attention
as diffusers' AttnProcessor computes it (softmax(Q K^T / sqrt(d)) V), classifier-free guidance as one
batch of two -- reading the same diffusers folder (safetensors) as MedTraverse.

diffusers itself is not packaged for Debian 12 and nothing may be downloaded here, so this is a
transcription of its forward passes (UNet2DConditionModel, AutoencoderKL decoder, CLIPTextModel,
DDIMScheduler) on Debian's python3-torch 1.13, the same LibTorch version MedTraverse links. It is checked
against diffusers' own outputs for the tiny golden pipeline (`check`) before it is timed (`bench`).

    /usr/bin/python3 tools/peer/sd_peer.py check  GOLDEN_DIR            # tests/data/golden
    /usr/bin/python3 tools/peer/sd_peer.py bench  MODEL_DIR [--threads N] [--repeat R] [--steps S] [--json F]

Needs: apt install python3-torch (not part of the build; only for this comparison).
"""
import argparse
import json
import math
import os
import statistics
import struct
import sys
import time

import torch
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64, "U8": torch.uint8}


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for key, v in header.items():
        if key == "__metadata__":
            continue
        begin, end = v["data_offsets"]
        t = torch.frombuffer(bytearray(data[8 + n + begin:8 + n + end]), dtype=DTYPES[v["dtype"]]).reshape(v["shape"])
        out[key] = t.float() if t.is_floating_point() else t
    return out


def per_block(value, n):
    return list(value) if isinstance(value, (list, tuple)) else [value] * n


# ---- layers (diffusers' modules written as functions over the state dict) ----
def conv(W, p, x, stride=1, pad=None):
    w = W[p + ".weight"]
    return F.conv2d(x, w, W.get(p + ".bias"), stride, w.shape[-1] // 2 if pad is None else pad)


def lin(W, p, x):
    return F.linear(x, W[p + ".weight"], W.get(p + ".bias"))


def gn(W, p, x, groups, eps):
    return F.group_norm(x, groups, W[p + ".weight"], W[p + ".bias"], eps)


def ln(W, p, x, eps=1e-5):
    return F.layer_norm(x, (x.shape[-1],), W[p + ".weight"], W[p + ".bias"], eps)


def resnet(W, p, x, temb, groups, eps):
    h = conv(W, p + ".conv1", F.silu(gn(W, p + ".norm1", x, groups, eps)))
    if temb is not None and p + ".time_emb_proj.weight" in W:
        h = h + lin(W, p + ".time_emb_proj", F.silu(temb))[:, :, None, None]
    h = conv(W, p + ".conv2", F.silu(gn(W, p + ".norm2", h, groups, eps)))
    if p + ".conv_shortcut.weight" in W:
        x = conv(W, p + ".conv_shortcut", x, pad=0)
    return x + h


def attention(W, p, x, ctx, heads):
    q, k, v = lin(W, p + ".to_q", x), lin(W, p + ".to_k", ctx), lin(W, p + ".to_v", ctx)
    b, n, c = q.shape
    d = c // heads
    q = q.view(b, n, heads, d).transpose(1, 2)
    k = k.view(b, -1, heads, d).transpose(1, 2)
    v = v.view(b, -1, heads, d).transpose(1, 2)
    a = torch.softmax(q @ k.transpose(-1, -2) * d ** -0.5, dim=-1)
    return lin(W, p + ".to_out.0", (a @ v).transpose(1, 2).reshape(b, n, c))


def transformer(W, p, x, ctx, heads, groups, linear_projection, layers):
    b, c, hh, ww = x.shape
    h = F.group_norm(x, groups, W[p + ".norm.weight"], W[p + ".norm.bias"], 1e-6)
    if linear_projection:
        h = lin(W, p + ".proj_in", h.permute(0, 2, 3, 1).reshape(b, hh * ww, c))
    else:
        h = conv(W, p + ".proj_in", h, pad=0)
        h = h.permute(0, 2, 3, 1).reshape(b, hh * ww, -1)
    for i in range(layers):
        q = f"{p}.transformer_blocks.{i}"
        n = ln(W, q + ".norm1", h)
        h = h + attention(W, q + ".attn1", n, n, heads)
        n = ln(W, q + ".norm2", h)
        h = h + attention(W, q + ".attn2", n, ctx, heads)
        n = ln(W, q + ".norm3", h)
        a, gate = lin(W, q + ".ff.net.0.proj", n).chunk(2, dim=-1)
        h = h + lin(W, q + ".ff.net.2", a * F.gelu(gate))
    if linear_projection:
        h = lin(W, p + ".proj_out", h).reshape(b, hh, ww, c).permute(0, 3, 1, 2)
    else:
        h = conv(W, p + ".proj_out", h.reshape(b, hh, ww, -1).permute(0, 3, 1, 2), pad=0)
    return h + x


def timestep_embedding(t, dim, flip_sin_to_cos, shift):
    half = dim // 2
    exponent = -math.log(10000) * torch.arange(half, dtype=torch.float32) / (half - shift)
    emb = t[:, None].float() * torch.exp(exponent)[None, :]
    emb = torch.cat([torch.sin(emb), torch.cos(emb)], dim=-1)
    return torch.cat([emb[:, half:], emb[:, :half]], dim=-1) if flip_sin_to_cos else emb


# ---- models ----
class UNet:
    def __init__(self, folder):
        self.cfg = json.load(open(os.path.join(folder, "config.json")))
        self.W = load_safetensors(os.path.join(folder, "diffusion_pytorch_model.safetensors"))

    def __call__(self, x, t, ctx):
        cfg, W = self.cfg, self.W
        ch = cfg["block_out_channels"]
        n = len(ch)
        layers = per_block(cfg["layers_per_block"], n)
        heads = per_block(cfg.get("num_attention_heads") or cfg["attention_head_dim"], n)
        tlayers = per_block(cfg.get("transformer_layers_per_block", 1), n)
        groups, eps, linp = cfg["norm_num_groups"], cfg["norm_eps"], cfg.get("use_linear_projection", False)
        temb = timestep_embedding(t.expand(x.shape[0]), ch[0], cfg.get("flip_sin_to_cos", True), cfg.get("freq_shift", 0))
        temb = lin(W, "time_embedding.linear_2", F.silu(lin(W, "time_embedding.linear_1", temb)))
        h = conv(W, "conv_in", x)
        skips = [h]
        for i, kind in enumerate(cfg["down_block_types"]):
            for j in range(layers[i]):
                h = resnet(W, f"down_blocks.{i}.resnets.{j}", h, temb, groups, eps)
                if "CrossAttn" in kind:
                    h = transformer(W, f"down_blocks.{i}.attentions.{j}", h, ctx, heads[i], groups, linp, tlayers[i])
                skips.append(h)
            if i < n - 1:
                h = conv(W, f"down_blocks.{i}.downsamplers.0.conv", h, stride=2, pad=cfg.get("downsample_padding", 1))
                skips.append(h)
        h = resnet(W, "mid_block.resnets.0", h, temb, groups, eps)
        h = transformer(W, "mid_block.attentions.0", h, ctx, heads[-1], groups, linp, tlayers[-1])
        h = resnet(W, "mid_block.resnets.1", h, temb, groups, eps)
        rl, rh, rt = layers[::-1], heads[::-1], tlayers[::-1]
        for i, kind in enumerate(cfg["up_block_types"]):
            for j in range(rl[i] + 1):
                h = resnet(W, f"up_blocks.{i}.resnets.{j}", torch.cat([h, skips.pop()], dim=1), temb, groups, eps)
                if "CrossAttn" in kind:
                    h = transformer(W, f"up_blocks.{i}.attentions.{j}", h, ctx, rh[i], groups, linp, rt[i])
            if i < n - 1:
                h = conv(W, f"up_blocks.{i}.upsamplers.0.conv", F.interpolate(h, scale_factor=2.0, mode="nearest"))
        return conv(W, "conv_out", F.silu(gn(W, "conv_norm_out", h, groups, eps)))


class VaeDecoder:
    def __init__(self, folder):
        self.cfg = json.load(open(os.path.join(folder, "config.json")))
        self.W = load_safetensors(os.path.join(folder, "diffusion_pytorch_model.safetensors"))
        self.scaling = self.cfg.get("scaling_factor", 0.18215)

    def _attention(self, p, x, groups):
        b, c, hh, ww = x.shape
        h = gn(self.W, p + ".group_norm", x, groups, 1e-6).view(b, c, hh * ww).transpose(1, 2)
        return attention(self.W, p, h, h, 1).transpose(1, 2).reshape(b, c, hh, ww) + x

    def __call__(self, latents):
        W, cfg = self.W, self.cfg
        groups, n, layers = cfg["norm_num_groups"], len(cfg["block_out_channels"]), cfg["layers_per_block"]
        z = latents / self.scaling
        if "post_quant_conv.weight" in W:
            z = conv(W, "post_quant_conv", z, pad=0)
        h = conv(W, "decoder.conv_in", z)
        h = resnet(W, "decoder.mid_block.resnets.0", h, None, groups, 1e-6)
        if "decoder.mid_block.attentions.0.to_q.weight" in W:
            h = self._attention("decoder.mid_block.attentions.0", h, groups)
        h = resnet(W, "decoder.mid_block.resnets.1", h, None, groups, 1e-6)
        for i in range(n):
            for j in range(layers + 1):
                h = resnet(W, f"decoder.up_blocks.{i}.resnets.{j}", h, None, groups, 1e-6)
            if i < n - 1:
                h = conv(W, f"decoder.up_blocks.{i}.upsamplers.0.conv", F.interpolate(h, scale_factor=2.0, mode="nearest"))
        return conv(W, "decoder.conv_out", F.silu(gn(W, "decoder.conv_norm_out", h, groups, 1e-6)))


class ClipText:
    def __init__(self, folder):
        self.cfg = json.load(open(os.path.join(folder, "config.json")))
        self.W = load_safetensors(os.path.join(folder, "model.safetensors"))

    def __call__(self, ids):
        W, cfg, p = self.W, self.cfg, "text_model."
        length = ids.shape[1]
        h = W[p + "embeddings.token_embedding.weight"][ids] + W[p + "embeddings.position_embedding.weight"][:length]
        mask = torch.full((length, length), float("-inf")).triu(1)
        heads, eps = cfg["num_attention_heads"], cfg["layer_norm_eps"]
        for i in range(cfg["num_hidden_layers"]):
            q = f"{p}encoder.layers.{i}"
            x = ln(W, q + ".layer_norm1", h, eps)
            b, n, c = x.shape
            d = c // heads
            qq = (lin(W, q + ".self_attn.q_proj", x) * d ** -0.5).view(b, n, heads, d).transpose(1, 2)
            kk = lin(W, q + ".self_attn.k_proj", x).view(b, n, heads, d).transpose(1, 2)
            vv = lin(W, q + ".self_attn.v_proj", x).view(b, n, heads, d).transpose(1, 2)
            a = torch.softmax(qq @ kk.transpose(-1, -2) + mask, dim=-1)
            h = h + lin(W, q + ".self_attn.out_proj", (a @ vv).transpose(1, 2).reshape(b, n, c))
            m = lin(W, q + ".mlp.fc1", ln(W, q + ".layer_norm2", h, eps))
            m = m * torch.sigmoid(1.702 * m) if cfg.get("hidden_act", "quick_gelu") == "quick_gelu" else F.gelu(m)
            h = h + lin(W, q + ".mlp.fc2", m)
        return ln(W, p + "final_layer_norm", h, eps)


class Ddim:
    def __init__(self, config_path, steps):
        c = json.load(open(config_path))
        T = c["num_train_timesteps"]
        if c["beta_schedule"] == "scaled_linear":
            betas = torch.linspace(c["beta_start"] ** 0.5, c["beta_end"] ** 0.5, T, dtype=torch.float32) ** 2
        else:
            betas = torch.linspace(c["beta_start"], c["beta_end"], T, dtype=torch.float32)
        self.ac = torch.cumprod(1.0 - betas, dim=0)
        self.final = torch.tensor(1.0) if c.get("set_alpha_to_one", True) else self.ac[0]
        self.ratio = T // steps
        self.timesteps = [i * self.ratio + c.get("steps_offset", 0) for i in range(steps)][::-1]

    def step(self, eps, t, x):
        prev = t - self.ratio
        a_t = self.ac[t]
        a_prev = self.ac[prev] if prev >= 0 else self.final
        x0 = (x - (1 - a_t) ** 0.5 * eps) / a_t ** 0.5
        return a_prev ** 0.5 * x0 + (1 - a_prev) ** 0.5 * eps


class Pipeline:
    def __init__(self, folder, steps):
        self.text = ClipText(os.path.join(folder, "text_encoder"))
        self.unet = UNet(os.path.join(folder, "unet"))
        self.vae = VaeDecoder(os.path.join(folder, "vae"))
        self.sched_path = os.path.join(folder, "scheduler", "scheduler_config.json")
        self.steps = steps

    def generate(self, ids_prompt, ids_negative, latents, guidance, timings=None):
        sched = Ddim(self.sched_path, self.steps)
        t0 = time.perf_counter()
        ctx = torch.cat([self.text(ids_negative), self.text(ids_prompt)])
        t1 = time.perf_counter()
        for t in sched.timesteps:
            out = self.unet(torch.cat([latents, latents]), torch.tensor([t]), ctx)
            uncond, cond = out.chunk(2)
            latents = sched.step(uncond + guidance * (cond - uncond), t, latents)
        t2 = time.perf_counter()
        image = self.vae(latents)
        t3 = time.perf_counter()
        if timings is not None:
            timings.update(text=t1 - t0, unet=t2 - t1, vae=t3 - t2, total=t3 - t0)
        return latents, image


def check(golden):
    """The peer against diffusers' own tensors for the tiny pipeline (tests/data/golden)."""
    ref = load_safetensors(os.path.join(golden, "reference", "pipeline.safetensors"))
    pipe = Pipeline(os.path.join(golden, "tiny-sd"), steps=ref["timesteps"].numel())
    with torch.inference_mode():
        emb = pipe.text(ref["input_ids_prompt"])
        e_text = (emb - ref["prompt_embeds"]).abs().max().item()
        eps = pipe.unet(ref["unet_latent_input"][0], torch.tensor([int(ref["timesteps"][0])]),
                        torch.cat([ref["negative_prompt_embeds"], ref["prompt_embeds"]]))
        e_unet = max((eps[0:1] - ref["noise_pred_uncond"][0]).abs().max().item(),
                     (eps[1:2] - ref["noise_pred_text"][0]).abs().max().item())
        latents, image = pipe.generate(ref["input_ids_prompt"], ref["input_ids_negative"], ref["initial_latents"], 7.5)
        e_lat = (latents - ref["final_latents"]).abs().max().item()
        e_img = (image - ref["image_decoded"]).abs().max().item()
    scale = ref["final_latents"].abs().max().item()
    ok = e_text < 1e-4 and e_unet < 1e-4 and e_lat < 1e-4 * scale * 10 and e_img < 1e-3
    print(f"peer vs diffusers (tiny golden pipeline): text {e_text:.2e}, UNet step {e_unet:.2e}, "
          f"final latents {e_lat:.2e} (max |x| {scale:.2f}), decoded image {e_img:.2e}: {'OK' if ok else 'MISMATCH'}")
    return 0 if ok else 1


def bench(folder, threads, repeat, steps, guidance, json_path):
    torch.set_num_threads(threads)
    pipe = Pipeline(folder, steps)
    cfg = pipe.unet.cfg
    vae_factor = 2 ** (len(pipe.vae.cfg["block_out_channels"]) - 1)
    size = cfg["sample_size"]
    ids = torch.tensor([[49406] + [49407] * 76])  # <|startoftext|> + padding: the prompt's content does not change the cost
    g = torch.Generator().manual_seed(0)
    latents = torch.randn((1, cfg["in_channels"], size, size), generator=g)
    runs = []
    with torch.inference_mode():
        pipe.generate(ids, ids, latents, guidance)  # warm-up (allocator, oneDNN primitives)
        for _ in range(repeat):
            t = {}
            pipe.generate(ids, ids, latents, guidance, t)
            runs.append(t)
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"peer (PyTorch {torch.__version__} eager from Python, diffusers' forward passes), {folder}: "
          f"{size * vae_factor}x{size * vae_factor}, {steps} DDIM steps, CFG batched, {threads} threads, {repeat} runs")
    print(f"  generate median {med['total'] * 1e3:.1f} ms (min {min(r['total'] for r in runs) * 1e3:.1f}); "
          f"text {med['text'] * 1e3:.1f} ms, UNet {med['unet'] * 1e3:.1f} ms ({med['unet'] / steps * 1e3:.2f} ms/step), "
          f"VAE decode {med['vae'] * 1e3:.1f} ms")
    if json_path:
        with open(json_path, "w") as f:
            json.dump({"peer": "pytorch-eager-python", "torch": torch.__version__, "model": folder, "threads": threads,
                       "steps": steps, "repeat": repeat, "median_seconds": med, "runs": runs}, f, indent=2)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("golden")
    b = sub.add_parser("bench")
    b.add_argument("model")
    b.add_argument("--threads", type=int, default=os.cpu_count())
    b.add_argument("--repeat", type=int, default=5)
    b.add_argument("--steps", type=int, default=20)
    b.add_argument("--guidance", type=float, default=7.5)
    b.add_argument("--json")
    a = ap.parse_args()
    if a.cmd == "check":
        return check(a.golden)
    if a.repeat < 1 or a.steps < 1 or a.threads < 1:
        ap.error("--repeat, --steps and --threads must be at least 1")
    return bench(a.model, a.threads, a.repeat, a.steps, a.guidance, a.json)


if __name__ == "__main__":
    sys.exit(main())
