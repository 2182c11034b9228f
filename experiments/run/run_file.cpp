#include "experiments/run/run_file.h"

#include <cstdio>
#include <fstream>

#include "experiments/run/cli.h"
#include "experiments/run/hdf5_io.h"
#include "experiments/run/model_io.h"
#include "experiments/run/model_options.h"
#include "experiments/run/version.h"

namespace pelab {
namespace {

Tensor doubles_to_tensor(const std::vector<double>& v, const Shape& shape) {
  Tensor t = Tensor::empty(shape);
  for (std::size_t i = 0; i < v.size(); ++i) t[static_cast<int64_t>(i)] = static_cast<float>(v[i]);
  return t;
}

void write_doubles(H5File& f, const std::string& path, const std::vector<double>& v) {
  // Curves are stored as float32 1-D datasets: steps are exact up to 2^24, losses need no more.
  f.write_floats(path, doubles_to_tensor(v, {static_cast<int64_t>(v.size())}));
}

}  // namespace

void check_writable(const std::string& path) {
  const std::string probe = path + ".tmp";
  std::ofstream out(probe);
  if (!out)
    throw UsageError("--out: cannot write '" + path + "' (is its folder there and writable?)");
  out.close();
  std::remove(probe.c_str());
}

void save_run(const std::string& path, const RunRecord& r, const Parameters& params,
              AdamW* optimizer) {
  const std::string tmp = path + ".tmp";
  {
    H5File f = H5File::create(tmp, true);
    f.set_attr("/", "status", r.status);
    f.set_attr("/", "message", r.message);
    f.set_attr("/", "pelab_version", kVersion);
    f.set_attr("/", "command_line", r.command_line);
    f.set_attr("/", "wall_time", r.wall_time);
    write_model_config(f, r.model);
    write_attrs(train_fields(), f, "/config", r.train);
    write_params(f, params);

    write_doubles(f, "/train/step", r.train_log.step);
    write_doubles(f, "/train/loss", r.train_log.loss);
    write_doubles(f, "/train/lr", r.train_log.lr);
    write_doubles(f, "/train/grad_norm", r.train_log.grad_norm);
    write_doubles(f, "/train/tokens_per_s", r.train_log.tokens_per_s);

    const EvalLog& e = r.eval_log;
    const int64_t E = static_cast<int64_t>(e.step.size()),
                  K = static_cast<int64_t>(e.lengths.size());
    write_doubles(f, "/eval/step", e.step);
    IntTensor lengths({K});
    for (int64_t k = 0; k < K; ++k) lengths.data[k] = static_cast<int32_t>(e.lengths[k]);
    f.write_ints("/eval/lengths", lengths);
    std::vector<double> em, ta;
    for (int64_t i = 0; i < E; ++i) {
      em.insert(em.end(), e.exact_match[i].begin(), e.exact_match[i].end());
      ta.insert(ta.end(), e.token_accuracy[i].begin(), e.token_accuracy[i].end());
    }
    f.write_floats("/eval/exact_match", doubles_to_tensor(em, {E, K}));
    f.write_floats("/eval/token_accuracy", doubles_to_tensor(ta, {E, K}));

    f.set_attr("/checkpoint", "step", r.step);
    f.set_attr("/checkpoint", "adam_steps", optimizer ? optimizer->steps() : r.adam_steps);
    for (int i = 0; i < 4; ++i)
      f.set_attr("/checkpoint", "data_rng_" + std::to_string(i),
                 static_cast<int64_t>(r.data_rng[i]));
    if (optimizer != nullptr) {
      f.write_floats("/checkpoint/adam_m", optimizer->m());
      f.write_floats("/checkpoint/adam_v", optimizer->v());
    }
    if (!r.query_map.empty()) {
      const QueryMap& q = r.query_map;
      const int64_t K = static_cast<int64_t>(q.lengths.size());
      IntTensor ql({K});
      for (int64_t k = 0; k < K; ++k) ql.data[k] = static_cast<int32_t>(q.lengths[k]);
      f.write_ints("/eval/query_lengths", ql);
      f.write_floats("/eval/query_exact_match", doubles_to_tensor(q.exact_match, {K, q.indices}));
      f.write_floats("/eval/query_examples", doubles_to_tensor(q.examples, {K, q.indices}));
    }
    if (!r.attention.empty()) {
      f.write_ints("/attention/tokens", r.probe_tokens);
      for (std::size_t l = 0; l < r.attention.size(); ++l)
        f.write_floats("/attention/layer" + std::to_string(l), r.attention[l]);
    }
    f.flush();
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error(path + ": cannot replace it with the new save " + tmp);
}

RunRecord load_run(const std::string& path) {
  H5File f = H5File::open_read(path);
  if (!f.has("/config") || !f.has("/checkpoint") || !f.has_attr("/", "status"))
    throw UsageError(path + ": not a pelab run file (no /config, /checkpoint or status)");
  RunRecord r;
  r.model = read_model_config(f);
  read_attrs(train_fields(), f, "/config", r.train);
  validate(r.train);
  r.status = f.get_attr_string("/", "status");
  if (f.has_attr("/", "message")) r.message = f.get_attr_string("/", "message");
  r.command_line = f.get_attr_string("/", "command_line");
  r.wall_time = f.get_attr_double("/", "wall_time");
  r.train_log.step = f.read_doubles("/train/step");
  r.train_log.loss = f.read_doubles("/train/loss");
  r.train_log.lr = f.read_doubles("/train/lr");
  r.train_log.grad_norm = f.read_doubles("/train/grad_norm");
  r.train_log.tokens_per_s = f.read_doubles("/train/tokens_per_s");
  r.eval_log.step = f.read_doubles("/eval/step");
  const IntTensor lengths = f.read_ints("/eval/lengths");
  r.eval_log.lengths.assign(lengths.data.begin(), lengths.data.end());
  const std::vector<double> em = f.read_doubles("/eval/exact_match");
  const std::vector<double> ta = f.read_doubles("/eval/token_accuracy");
  const std::size_t K = r.eval_log.lengths.size();
  for (std::size_t i = 0; i < r.eval_log.step.size(); ++i) {
    r.eval_log.exact_match.emplace_back(em.begin() + i * K, em.begin() + (i + 1) * K);
    r.eval_log.token_accuracy.emplace_back(ta.begin() + i * K, ta.begin() + (i + 1) * K);
  }
  r.step = f.get_attr_int64("/checkpoint", "step");
  r.adam_steps = f.get_attr_int64("/checkpoint", "adam_steps");
  for (int i = 0; i < 4; ++i)
    r.data_rng[i] =
        static_cast<uint64_t>(f.get_attr_int64("/checkpoint", "data_rng_" + std::to_string(i)));
  return r;
}

RunRecord load_run_argument(const std::string& path, const std::string& context) {
  try {
    return load_run(path);
  } catch (const UsageError& e) {
    throw UsageError(context + e.what());
  } catch (const std::exception& e) {
    throw UsageError(context + e.what());
  }
}

void load_run_state(const std::string& path, Parameters& params, AdamW* optimizer) {
  H5File f = H5File::open_read(path);
  read_params(f, params);
  if (optimizer != nullptr) {
    if (!f.has("/checkpoint/adam_m"))
      throw UsageError(path + ": no optimizer state in /checkpoint; cannot resume it");
    Tensor m = f.read_floats("/checkpoint/adam_m"), v = f.read_floats("/checkpoint/adam_v");
    if (m.numel() != optimizer->m().numel() || v.numel() != optimizer->v().numel())
      throw UsageError(path + ": /checkpoint/adam_m does not fit this model's parameters");
    optimizer->m().copy_from(m);
    optimizer->v().copy_from(v);
    optimizer->set_steps(f.get_attr_int64("/checkpoint", "adam_steps"));
  }
}

bool run_finished(const RunRecord& record) {
  return record.status == "completed" || record.status == "diverged";
}

bool evaluated_from_another_run(const RunRecord& record) {
  return record.message.rfind(kEvaluatedFrom, 0) == 0;
}

}  // namespace pelab
