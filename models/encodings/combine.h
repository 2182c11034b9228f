// How an additive scheme's position vector joins the token embedding (--pe-combine).
//
//   add     x = e + P          e, P (.., d_model)                  the usual way
//   concat  x = [e ; P]        e (.., d_model - pe_dim), P (.., pe_dim)
//
// With concat the model's width stays d_model, so everything after the embedding is the same
// model. What changes is what attention can see: a score q.k with q = W_q x, k = W_k x splits
// into four terms, e-e, e-P, P-e and P-P. Under addition every dimension carries both meaning
// and position, so each term is present in every product. Under concatenation meaning and
// position sit in separate blocks of x, and a cross term (a token attending by position) exists
// only where W_q and W_k mix the two blocks (docs/tutorial.md, "Adding or concatenating").
//
// Backward: add passes g to both; concat splits g into its two blocks (concat_last).
#pragma once

#include <vector>

#include "autograd/ops.h"
#include "core/option_field.h"
#include "models/config.h"

namespace pelab {

// The options each additive scheme lists: pe_combine and pe_dim.
std::vector<OptionField<ModelConfig>> combine_options();
// --pe-combine is add or concat; with concat, 0 < pe_dim < d_model. ConfigError naming the option.
void validate_combine(const ModelConfig& c);
// x (B, T, token_width) joined with P (T, position_width) or (B, T, position_width): x + P or
// [x ; P], (B, T, d_model).
Var combine(const ModelConfig& c, const Var& x, const Var& P);

}  // namespace pelab
