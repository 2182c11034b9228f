// The `pelab` commands, one file each; main.cpp dispatches to them.
#pragma once

namespace pelab {

int demo_command(int argc, char** argv);      // demo.cpp
int grads_command(int argc, char** argv);     // grads.cpp
int train_command(int argc, char** argv);     // train.cpp
int eval_command(int argc, char** argv);      // eval.cpp
int generate_command(int argc, char** argv);  // generate.cpp
int bench_command(int argc, char** argv);     // bench.cpp
int sweep_command(int argc, char** argv);     // sweep.cpp
int report_command(int argc, char** argv);    // report.cpp
int options_command(int argc, char** argv);   // options.cpp

}  // namespace pelab
