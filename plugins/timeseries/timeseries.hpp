// The timeseries plugin's tag families, one register function per file.
#pragma once

#include <annot/registrar.hpp>

namespace annot::plugins::timeseries {

// <TimeSeries> (object, with its measure and regions) and its value children <Channel>, <MultiChannel>.
annot::status register_timeseries(annot::registrar& reg);
// <TimeSeriesLabels> and the (TimeSeries, timeserieslabels) time-range region.
annot::status register_timeseries_labels(annot::registrar& reg);

}  // namespace annot::plugins::timeseries
