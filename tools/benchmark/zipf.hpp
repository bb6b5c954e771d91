// Key choice for the benchmark: uniform, Zipf-distributed (rejection-inversion sampling after
// Hörmann and Derflinger, O(1) per sample for any keyspace size, as in Apache Commons RNG), or
// sequential.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace basalt::bench {

// Samples 0..n-1 with P(k) proportional to 1 / (k+1)^s, s > 0.
class Zipf {
 public:
  Zipf(uint64_t n, double s) : n_(static_cast<double>(n)), s_(s) {
    h_integral_x1_ = h_integral(1.5) - 1.0;
    h_integral_n_ = h_integral(n_ + 0.5);
    threshold_ = 2.0 - h_integral_inverse(h_integral(2.5) - h(2.0));
  }

  template <class Rng>
  uint64_t operator()(Rng& rng) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (;;) {
      const double u = h_integral_n_ + unit(rng) * (h_integral_x1_ - h_integral_n_);
      const double x = h_integral_inverse(u);
      double k = std::floor(x + 0.5);
      if (k < 1) k = 1;
      if (k > n_) k = n_;
      if (k - x <= threshold_ || u >= h_integral(k + 0.5) - h(k)) {
        return static_cast<uint64_t>(k) - 1;
      }
    }
  }

 private:
  double h(double x) const { return std::exp(-s_ * std::log(x)); }
  double h_integral(double x) const {
    const double log_x = std::log(x);
    return helper2((1.0 - s_) * log_x) * log_x;
  }
  double h_integral_inverse(double x) const {
    double t = x * (1.0 - s_);
    if (t < -1.0) t = -1.0;
    return std::exp(helper1(t) * x);
  }
  static double helper1(double x) {
    return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
  }
  static double helper2(double x) {
    return std::abs(x) > 1e-8 ? std::expm1(x) / x
                              : 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
  }

  double n_;
  double s_;
  double h_integral_x1_;
  double h_integral_n_;
  double threshold_;
};

}  // namespace basalt::bench
