# Peer: the WGAN-GP recipe of `gan-kit train wgan-gp` (WGAN_GP_RECIPE in src/cli/recipes.ts) in PyTorch, for a
# side-by-side figure with the same scorer. Written for this comparison, not a port of gan-kit's code.
#
# Recipe: self-conditioned on the k-means clusters of the 10,000 digits (read from a gan-kit run's clusters.json,
# so both sides train on the same labels); G = dense 100 -> 7*7*64, conditional batch norm, ReLU, transposed conv
# 64 -> 32 k4 s2, conditional batch norm, ReLU, transposed conv 32 -> 1 k4 s2, tanh (per-cluster gain and bias
# after a batch norm without its own affine); critic = conv 1 -> 16 k4 s2 'same', LeakyReLU 0.2, conv 16 -> 32
# k4 s2 'same', LeakyReLU 0.2, then a score head (dense -> 1) and a cluster head (dense -> k), no normalization;
# Wasserstein loss, two-sided gradient penalty lambda 10 on the score at random interpolates, 2 critic updates per
# generator update (each on a new real batch), Adam(5e-4, 0.5, 0.9) for both, batches of 32, fakes take the
# clusters of the real batch, cluster cross-entropy on real images only for the critic (weight 1) and on the
# fakes for G (weight 1), EMA of G's weights 0.995 from step 250 (batch-norm statistics recomputed for sampling),
# N(0, 0.02) initial weights. Samples draw a cluster with its frequency.
#
# Transposed convolutions are zero insertion + pad + convolution, because Debian's PyTorch 1.13 runs
# ConvTranspose2d very slowly on this machine's CPU.
#
# Usage: /usr/bin/python3 torch_wgangp_recipe.py G_STEPS SEED MNIST.f32 CLUSTERS.json OUT.f32
#   MNIST.f32: the 10,000 digits as raw float32 NHWC [N, 28, 28, 1] in [-1, 1], in loadMnist() order;
#   CLUSTERS.json: clusters.json of a `gan-kit train wgan-gp` run; OUT.f32: 256 samples in the same format,
#   to be scored with gan-kit's classifier (classifyDigits). Prints the critic's gradient norm at interpolates.
import copy, json, sys, time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F

gsteps, seed, data, cfile, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
LR, B1, B2, NCRIT, LAM, BATCH, EMA, EMA_START = 5e-4, 0.5, 0.9, 2, 10.0, 32, 0.995, 250
torch.manual_seed(seed); np.random.seed(seed); torch.set_num_threads(1)
X = torch.from_numpy(np.fromfile(data, dtype=np.float32).reshape(-1, 28, 28, 1)).permute(0, 3, 1, 2).contiguous()
clusters = json.load(open(cfile)); Y = torch.tensor(clusters['assignments'], dtype=torch.long); K = clusters['k']
sizes = torch.tensor(clusters['sizes'], dtype=torch.float)
assert Y.shape[0] == X.shape[0], 'clusters.json must label the same digits'


def up(x):  # stride-2 zero insertion and padding: a 4x4 convolution of this is a 'same' transposed convolution
    n, c, h, w = x.shape
    y = x.new_zeros(n, c, 2 * h - 1, 2 * w - 1); y[:, :, ::2, ::2] = x
    return F.pad(y, (2, 2, 2, 2))


class CondBN(nn.Module):
    def __init__(s, shape, k):
        super().__init__()
        s.bn = nn.BatchNorm1d(shape, affine=False, momentum=0.01, eps=1e-3) if isinstance(shape, int) else nn.BatchNorm2d(shape[0], affine=False, momentum=0.01, eps=1e-3)
        n = shape if isinstance(shape, int) else shape[0]
        s.gain = nn.Embedding(k, n); s.bias = nn.Embedding(k, n)
        nn.init.ones_(s.gain.weight); nn.init.zeros_(s.bias.weight)

    def forward(s, x, y):
        h = s.bn(x); g, b = s.gain(y), s.bias(y)
        if h.dim() == 4: g, b = g[:, :, None, None], b[:, :, None, None]
        return h * g + b


class G(nn.Module):
    def __init__(s):
        super().__init__()
        s.fc = nn.Linear(100, 7 * 7 * 64, bias=False); s.n0 = CondBN(7 * 7 * 64, K)
        s.t1 = nn.Conv2d(64, 32, 4, 1, 0, bias=False); s.n1 = CondBN((32,), K)
        s.t2 = nn.Conv2d(32, 1, 4, 1, 0, bias=True)

    def forward(s, z, y):
        h = F.relu(s.n0(s.fc(z), y)).view(-1, 64, 7, 7)
        return torch.tanh(s.t2(up(F.relu(s.n1(s.t1(up(h)), y)))))


class C(nn.Module):
    def __init__(s):
        super().__init__()
        s.c1 = nn.Conv2d(1, 16, 4, 2, 0); s.c2 = nn.Conv2d(16, 32, 4, 2, 0)
        s.score = nn.Linear(32 * 49, 1); s.cls = nn.Linear(32 * 49, K)

    def forward(s, x):
        h = F.leaky_relu(s.c1(F.pad(x, (1, 1, 1, 1))), 0.2); h = F.leaky_relu(s.c2(F.pad(h, (1, 1, 1, 1))), 0.2)
        h = h.flatten(1)
        return s.score(h).squeeze(1), s.cls(h)


def init(m):
    for mod in m.modules():
        if isinstance(mod, (nn.Conv2d, nn.Linear)):
            nn.init.normal_(mod.weight, 0, 0.02)
            if mod.bias is not None: nn.init.zeros_(mod.bias)


g, c = G(), C(); init(g); init(c)
ema = None
og = torch.optim.Adam(g.parameters(), LR, betas=(B1, B2)); oc = torch.optim.Adam(c.parameters(), LR, betas=(B1, B2))
N = X.shape[0]; perm = torch.randperm(N); pos = 0; t0 = time.time()


def batch():
    global perm, pos
    if pos + BATCH > N: perm = torch.randperm(N); pos = 0
    idx = perm[pos:pos + BATCH]; pos += BATCH
    return X[idx], Y[idx]


def grad_norms(real, fake):
    a = torch.rand(real.shape[0], 1, 1, 1); xh = (a * real + (1 - a) * fake).requires_grad_(True)
    gr, = torch.autograd.grad(c(xh)[0].sum(), xh, create_graph=True)
    return gr.flatten(1).norm(dim=1)


for step in range(1, gsteps + 1):
    for _ in range(NCRIT):
        real, y = batch()
        with torch.no_grad(): fake = g(torch.randn(BATCH, 100), y)
        sr, cr = c(real); sf, _ = c(fake)
        gp = LAM * ((grad_norms(real, fake) - 1) ** 2).mean()
        lc = sf.mean() - sr.mean() + gp + F.cross_entropy(cr, y)
        oc.zero_grad(); lc.backward(); oc.step()
    real, y = batch()
    sf, cf = c(g(torch.randn(BATCH, 100), y))
    lg = -sf.mean() + F.cross_entropy(cf, y)
    og.zero_grad(); lg.backward(); og.step()
    if step == EMA_START: ema = copy.deepcopy(g)
    elif ema is not None:
        with torch.no_grad():
            for pe, p in zip(ema.parameters(), g.parameters()): pe.mul_(EMA).add_(p, alpha=1 - EMA)
    if step % 100 == 0:
        print(f'step {step} critic {lc.item():.3f} gp {gp.item():.3f} G {lg.item():.3f} {time.time() - t0:.0f}s', flush=True)

sampler = ema if ema is not None else g
with torch.no_grad():  # batch-norm statistics of the averaged weights, from 4 batches of 64 in training mode
    for mod in sampler.modules():
        if isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d)): mod.reset_running_stats(); mod.momentum = None
    sampler.train()
    for _ in range(4): sampler(torch.randn(64, 100), torch.multinomial(sizes, 64, replacement=True))
    sampler.eval(); torch.manual_seed(1)
    s = sampler(torch.randn(256, 100), torch.multinomial(sizes, 256, replacement=True))
s.permute(0, 2, 3, 1).contiguous().numpy().astype(np.float32).tofile(out)
real = X[:256]
with torch.no_grad(): fake = g(torch.randn(256, 100), Y[:256])
n = grad_norms(real, fake).detach()
print(f'critic gradient norm at 256 interpolates {n.mean().item():.3f} +- {n.std().item():.3f}')
print('wrote', out, f'{time.time() - t0:.0f}s')
