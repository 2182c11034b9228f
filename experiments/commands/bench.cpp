// `pelab bench`: the throughput of one full training step (forward, backward, clipping, AdamW)
// on the benchmark configurations of docs/model.md, the same work as experiments/torch_ref.py:
// random tokens, the loss on every position, AdamW (lr 1e-3, weight decay 0.01), clipping at 1.
// `pelab bench --gemm`: OpenBLAS sgemm GFLOP/s on the products those configurations run, the
// ceiling any framework on this machine works under.
// `pelab bench --ceiling`: the step, with the ceiling's products timed between its timed steps,
// and the step's share of that ceiling: both over the same seconds of a noisy machine.
// `pelab bench --attention`: the causal attention op alone (forward, then backward) on the
// configuration's (B, H, T, dh), the best of the timed repetitions: what one layer's attention
// costs, to set against the step.
//
// FLOPs per step, as docs/model.md counts them: 6 x params x tokens + 12 x L x B x T^2 x D.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <vector>

#include "autograd/ops.h"
#include "autograd/optim/adamw.h"
#include "autograd/optim/clip.h"
#include "core/blas_kernel.h"
#include "core/buffer_pool.h"
#include "core/gemm.h"
#include "core/threads.h"
#include "experiments/run/cli.h"
#include "experiments/commands/commands.h"
#include "models/transformer.h"

namespace po = boost::program_options;

namespace pelab {
namespace {

struct BenchConfig {
  int64_t V, D, H, L, T, B;
};

const std::map<std::string, BenchConfig>& bench_configs() {
  static const std::map<std::string, BenchConfig> configs = {
      {"tiny", {16, 64, 4, 2, 64, 32}},
      {"small", {32, 128, 4, 4, 128, 32}},
      {"medium", {32, 256, 8, 4, 256, 16}},
  };
  return configs;
}

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// The products the configuration's step runs most, each split over the threads as pelab splits
// a product: the ceiling. Each shape's operands are allocated once, so timing them touches no
// fresh pages.
class CeilingProducts {
 public:
  explicit CeilingProducts(const BenchConfig& c) {
    const int64_t R = c.B * c.T, D = c.D, F = 4 * c.D;
    add("qkv  (BT x 3D x D)", R, 3 * D, D);
    add("mlp  (BT x 4D x D)", R, F, D);
    add("proj (BT x D x 4D)", R, D, F);
    add("dW   (4D x D x BT)", F, D, R);
  }

  // Runs every product once untimed (to bring its operands into the caches, as a product run
  // back to back has them), then `times` times timed, adding those seconds to its total.
  void run(int times) {
    for (Product& p : products_) {
      gemm(p.args);
      const double t0 = now_s();
      for (int i = 0; i < times; ++i) gemm(p.args);
      p.seconds += now_s() - t0;
      p.runs += times;
    }
  }

  // The best product's GFLOP/s over the timed runs; with `print`, every product's.
  double best_gflops(bool print) const {
    double best = 0.0;
    for (const Product& p : products_) {
      const GemmArgs& g = p.args;
      const double gflops = 2.0 * g.M * g.N * g.K * p.runs / p.seconds / 1e9;
      best = std::max(best, gflops);
      if (print)
        std::printf("  %-20s %5lld x %5lld x %5lld  %7.1f GFLOP/s\n", p.what,
                    static_cast<long long>(g.M), static_cast<long long>(g.N),
                    static_cast<long long>(g.K), gflops);
    }
    return best;
  }

 private:
  struct Product {
    const char* what;
    Tensor A, B, C;
    GemmArgs args;
    double seconds = 0.0;
    int64_t runs = 0;
  };

  void add(const char* what, int64_t M, int64_t N, int64_t K) {
    Product p{what, Tensor::full({M, K}, 0.5f), Tensor::full({K, N}, 0.25f), Tensor::zeros({M, N}),
              GemmArgs{}};
    p.args.M = M;
    p.args.N = N;
    p.args.K = K;
    p.args.A = p.A.data();
    p.args.lda = K;
    p.args.B = p.B.data();
    p.args.ldb = N;
    p.args.C = p.C.data();
    p.args.ldc = N;
    products_.push_back(std::move(p));
  }

  std::vector<Product> products_;
};

int bench_gemm(const std::string& name, const BenchConfig& c, int steps) {
  std::printf(
      "sgemm on the %s shapes, %d threads (pelab's split of a product over threads), "
      "OpenBLAS kernel %s:\n",
      name.c_str(), threads(), blas_kernel().c_str());
  CeilingProducts ceiling(c);
  ceiling.run(steps);
  const double best = ceiling.best_gflops(true);
  std::printf("gemm config=%s threads=%d gflops=%.1f\n", name.c_str(), threads(), best);
  return 0;
}

// The attention op of one layer, forward and backward, on random q, k, v and output gradient.
int bench_attention(const std::string& name, const BenchConfig& c, int steps, int warmup) {
  const int64_t dh = c.D / c.H;
  Random rng(0);
  auto random_tensor = [&rng](const Shape& shape) {
    Tensor t = Tensor::empty(shape);
    for (int64_t i = 0; i < t.numel(); ++i) t[i] = rng.normal(0.0f, 1.0f);
    return t;
  };
  const Shape shape = {c.B, c.H, c.T, dh};
  Var q(random_tensor(shape), true), k(random_tensor(shape), true), v(random_tensor(shape), true);
  const Tensor g = random_tensor(shape);
  const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
  double best_forward = 1e30, best_backward = 1e30;
  for (int i = 0; i < warmup + steps; ++i) {
    for (Var* x : {&q, &k, &v}) x->zero_grad();
    const double t0 = now_s();
    const Var y = causal_attention(q, k, v, Var(), scale, nullptr);
    const double t1 = now_s();
    backward(y, g);
    const double t2 = now_s();
    if (i < warmup) continue;
    best_forward = std::min(best_forward, t1 - t0);
    best_backward = std::min(best_backward, t2 - t1);
  }
  std::printf(
      "causal attention on the %s shapes (B, H, T, dh) = (%lld, %lld, %lld, %lld), %d "
      "threads, best of %d; a step runs it %lld times\n",
      name.c_str(), static_cast<long long>(c.B), static_cast<long long>(c.H),
      static_cast<long long>(c.T), static_cast<long long>(dh), threads(), steps,
      static_cast<long long>(c.L));
  std::printf("attention config=%s threads=%d forward_ms=%.2f backward_ms=%.2f per_step_ms=%.1f\n",
              name.c_str(), threads(), best_forward * 1e3, best_backward * 1e3,
              static_cast<double>(c.L) * (best_forward + best_backward) * 1e3);
  return 0;
}

}  // namespace

int bench_command(int argc, char** argv) {
  po::options_description opts("pelab bench options");
  opts.add_options()("help", "show this help")(
      "config", po::value<std::string>()->default_value("tiny"), "tiny | small | medium")(
      "pe", po::value<std::string>()->default_value("rope"), "positional encoding")(
      "steps", po::value<int>()->default_value(20), "timed steps")(
      "warmup", po::value<int>()->default_value(3), "untimed steps first")(
      "gemm", po::bool_switch(), "measure sgemm on the configuration's shapes instead")(
      "attention", po::bool_switch(),
      "time the causal attention op alone (forward and backward, one layer) instead")(
      "ceiling", po::bool_switch(),
      "after every timed step, time the --gemm products once too, and print the step's share of "
      "that ceiling: both measured over the same seconds");
  add_thread_option(opts);
  po::variables_map vm;
  if (!parse_options(argc, argv, opts, vm,
                     "usage: pelab bench [--config tiny|small|medium] [options]"))
    return 0;
  apply_threads(vm, false);
  const std::string name = vm["config"].as<std::string>();
  const auto it = bench_configs().find(name);
  if (it == bench_configs().end())
    throw UsageError("--config must be tiny, small or medium, got '" + name + "'");
  const int steps = vm["steps"].as<int>(), warmup = vm["warmup"].as<int>();
  if (steps < 1) throw UsageError("--steps must be at least 1");
  if (warmup < 0) throw UsageError("--warmup must be >= 0");
  const BenchConfig& b = it->second;
  const int modes = vm["gemm"].as<bool>() + vm["attention"].as<bool>() + vm["ceiling"].as<bool>();
  if (modes > 1) throw UsageError("--gemm, --attention and --ceiling: choose one");
  if (vm["gemm"].as<bool>()) return bench_gemm(name, b, steps);
  if (vm["attention"].as<bool>()) return bench_attention(name, b, steps, warmup);

  ModelConfig mc;
  mc.vocab_size = b.V;
  mc.d_model = b.D;
  mc.n_heads = b.H;
  mc.n_layers = b.L;
  mc.max_len = b.T;
  mc.pe = vm["pe"].as<std::string>();
  Transformer model(mc);
  AdamW optimizer(model.params(), AdamWConfig{});
  Random rng(0);
  IntTensor tokens({b.B, b.T}), targets({b.B, b.T});
  const Tensor mask = Tensor::full({b.B, b.T}, 1.0f);
  const Positions positions = sequential_positions(b.T, mc.grid_cols);
  auto step = [&]() {
    for (int64_t i = 0; i < b.B * b.T; ++i) {
      tokens.data[i] = static_cast<int32_t>(rng.integer(b.V));
      targets.data[i] = static_cast<int32_t>(rng.integer(b.V));
    }
    model.params().zero_grad();
    Var loss = model.loss(tokens, targets, mask, positions);
    backward(loss);
    clip_grad_norm(model.params(), 1.0f);
    optimizer.step(1e-3f);
    return loss.value()[0];
  };
  // With --ceiling the ceiling's products run between the timed steps, so the two are measured
  // over the same seconds: on a shared machine whose cores change speed every second or so, a
  // ceiling timed at another moment measures another machine (docs/performance.md).
  std::unique_ptr<CeilingProducts> ceiling;
  if (vm["ceiling"].as<bool>()) ceiling = std::make_unique<CeilingProducts>(b);
  for (int i = 0; i < warmup; ++i) step();
  double dt = 0.0;
  float last = 0.0f;
  for (int i = 0; i < steps; ++i) {
    const double t0 = now_s();
    last = step();
    dt += now_s() - t0;
    if (ceiling) ceiling->run(1);
  }
  dt /= steps;
  const double params = static_cast<double>(model.params().numel());
  const double tokens_per_step = static_cast<double>(b.B * b.T);
  const double flops =
      6.0 * params * tokens_per_step + 12.0 * b.L * b.B * static_cast<double>(b.T) * b.T * b.D;
  std::printf("pelab config=%s pe=%s threads=%d params=%.0f loss=%.4f blas_kernel=%s\n",
              name.c_str(), mc.pe.c_str(), threads(), params, last, blas_kernel().c_str());
  std::printf(
      "buffer pool: %.1f MiB held, at most %.1f MiB in use at once, %lld fresh allocations\n",
      static_cast<double>(pool_stats().bytes_held) / 1048576.0,
      static_cast<double>(pool_stats().peak_bytes_in_use) / 1048576.0,
      static_cast<long long>(pool_stats().fresh_allocations));
  const double gflops = flops / dt / 1e9;
  std::printf("step_ms=%.2f tokens_per_s=%.0f gflops=%.1f peak_rss_mb=%.1f", dt * 1e3,
              tokens_per_step / dt, gflops, peak_rss_mb());
  if (ceiling) {
    const double best = ceiling->best_gflops(false);
    std::printf(" ceiling_gflops=%.1f of_ceiling=%.1f", best, 100.0 * gflops / best);
  }
  std::printf("\n");
  return 0;
}

}  // namespace pelab
