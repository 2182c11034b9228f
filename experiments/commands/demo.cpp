// `pelab demo`: trains a small model built from pelab's ops on a toy problem and prints its
// loss falling. The problem: given a token x (of V), predict (x + 1) mod V, through
// embedding -> LayerNorm -> linear -> GELU -> linear -> cross-entropy, with AdamW.
#include <cstdio>

#include "autograd/ops.h"
#include "autograd/optim/adamw.h"
#include "autograd/optim/clip.h"
#include "autograd/parameters.h"
#include "core/random.h"
#include "experiments/run/cli.h"
#include "experiments/commands/commands.h"

namespace po = boost::program_options;

namespace pelab {
namespace {

int run_demo(int steps, uint64_t seed) {
  const int64_t V = 16, D = 32, F = 64, N = 64;
  Parameters params;
  Var emb = params.add("emb.weight", {V, D}, true);
  Var ln_w = params.add("ln.weight", {D}, false);
  Var ln_b = params.add("ln.bias", {D}, false);
  Var fc_w = params.add("fc.weight", {F, D}, true);
  Var fc_b = params.add("fc.bias", {F}, false);
  Var out_w = params.add("out.weight", {V, F}, true);
  params.finalize();
  Random rng(seed);
  for (const auto& e : params.entries()) {
    Tensor& v = e.var.node()->value;
    if (e.name == "ln.weight")
      v.fill(1.0f);
    else if (!e.decay)
      v.fill(0.0f);
    else
      for (int64_t i = 0; i < v.numel(); ++i) v[i] = rng.normal(0.0f, 0.02f);
  }
  AdamW opt(params, AdamWConfig{});
  IntTensor x({N}), y({N});
  Tensor mask = Tensor::full({N}, 1.0f);
  std::printf("demo: learn x -> (x + 1) mod %lld with %lld parameters\n", static_cast<long long>(V),
              static_cast<long long>(params.numel()));
  for (int step = 0; step < steps; ++step) {
    for (int64_t i = 0; i < N; ++i) {
      x.data[i] = static_cast<int32_t>(rng.integer(V));
      y.data[i] = static_cast<int32_t>((x.data[i] + 1) % V);
    }
    Var h = layer_norm(embedding(emb, x), ln_w, ln_b);
    Var logits = linear(gelu(linear(h, fc_w, fc_b)), out_w);
    Var loss = cross_entropy(logits, y, mask);
    params.zero_grad();
    backward(loss);
    clip_grad_norm(params, 1.0f);
    opt.step(1e-2f);
    if (step % 20 == 0 || step == steps - 1)
      std::printf("step %4d  loss %.4f\n", step, loss.value()[0]);
  }
  return 0;
}

}  // namespace

int demo_command(int argc, char** argv) {
  po::options_description opts("pelab demo options");
  opts.add_options()("help", "show this help")("steps", po::value<int>()->default_value(200),
                                               "training steps")(
      "seed", po::value<int64_t>()->default_value(0), "random seed");
  add_thread_option(opts);
  po::variables_map vm;
  if (!parse_options(argc, argv, opts, vm, "usage: pelab demo [options]")) return 0;
  apply_threads(vm, true);
  if (vm["steps"].as<int>() < 1) throw UsageError("--steps must be at least 1");
  if (vm["seed"].as<int64_t>() < 0) throw UsageError("--seed must be >= 0");
  return run_demo(vm["steps"].as<int>(), static_cast<uint64_t>(vm["seed"].as<int64_t>()));
}

}  // namespace pelab
