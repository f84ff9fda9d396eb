// The timeseries plugin's starter configs, on an inline series (valueType="json": no file needed).
#include <annot/registrar.hpp>
#include <charconv>
#include <cmath>
#include <string>

namespace annot::plugins::timeseries {

namespace {

// 120 readings of two sensors, one per second: a slow wave with a bump between 60 s and 75 s. Numbers
// through to_chars: std::to_string(double) goes through vsnprintf, ~60 us of every start more for these 360.
std::string sample_series() {
  std::string time = "[", temp = "[", vib = "[";
  const auto put = [](std::string& out, double v) {
    char text[32];
    out.append(text, static_cast<std::size_t>(std::to_chars(text, text + sizeof text, v).ptr - text));
  };
  for (int i = 0; i < 120; ++i) {
    const char* sep = i ? "," : "";
    double t = 20.0 + 2.0 * std::sin(i / 15.0);
    double v = (i >= 60 && i < 75) ? 3.0 + std::sin(i * 1.7) : 0.3 * std::sin(i * 0.9);
    time += sep;
    put(time, i);
    temp += sep;
    put(temp, std::round(t * 100) / 100);
    vib += sep;
    put(vib, std::round(v * 100) / 100);
  }
  return R"({"series": {"time": )" + time + R"(], "temperature": )" + temp + R"(], "vibration": )" + vib + "]}}";
}

}  // namespace

annot::status register_timeseries_starters(annot::registrar& reg) {
  const std::string sample = sample_series();
  const annot::starter_config starters[] = {
      {.title = "Events in sensor data",
       .group = "Time Series Analysis",
       .config = R"(<View>
  <TimeSeriesLabels name="event" toName="series">
    <Label value="Fault" background="#e03131"/>
    <Label value="Maintenance" background="#1971c2"/>
  </TimeSeriesLabels>
  <TimeSeries name="series" value="$series" valueType="json" timeColumn="time">
    <Channel column="temperature" legend="Temperature" units="°C" strokeColor="#e8590c"/>
    <Channel column="vibration" legend="Vibration" strokeColor="#1971c2"/>
  </TimeSeries>
</View>)",
       .sample_data = sample,
       .description = "Mark time ranges across several channels."},
      {.title = "Classify a series",
       .group = "Time Series Analysis",
       .config = R"(<View>
  <TimeSeries name="series" value="$series" valueType="json" timeColumn="time">
    <Channel column="vibration" legend="Vibration"/>
  </TimeSeries>
  <Choices name="state" toName="series" choice="single">
    <Choice value="Normal"/>
    <Choice value="Anomalous"/>
  </Choices>
</View>)",
       .sample_data = sample,
       .description = "One class for the whole series."},
  };
  for (const annot::starter_config& s : starters)
    if (annot::status st = reg.add_starter_config(s); !st.ok()) return st;
  return {};
}

}  // namespace annot::plugins::timeseries
