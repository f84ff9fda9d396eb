// The timeseries plugin's entry: declares the plugin and registers its two tag families.
#include <annot/plugin.h>

#include "timeseries.hpp"

namespace annot::plugins::timeseries {

annot::status register_timeseries_starters(annot::registrar& reg);  // timeseries_starters.cpp

annot::status register_timeseries_plugin(annot::registrar& reg) {
  // The object first: its regions and TimeSeriesLabels refer to it.
  if (auto st = register_timeseries(reg); !st) return st;
  if (auto st = register_timeseries_labels(reg); !st) return st;
  return register_timeseries_starters(reg);
}

}  // namespace annot::plugins::timeseries

ANNOT_PLUGIN(timeseries, data_type, "1.0.0",
             "TimeSeries with Channel and MultiChannel, and TimeSeriesLabels: time ranges in the time column's units",
             annot::plugins::timeseries::register_timeseries_plugin)
