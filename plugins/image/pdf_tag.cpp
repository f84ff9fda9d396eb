// <Pdf>: shows a PDF document; it has no regions, so only classification controls label it.
#include "image_common.hpp"
#include "image_tags.hpp"

namespace annot::plugins::image {

status register_pdf_tag(registrar& reg) {
  return reg.add_object_tag(
      {.tag = {.name = "Pdf",
               .description = "Shows a PDF document from a URL; label it with Choices, TextArea, Rating...",
               .attributes = {{.name = "name", .required = true, .description = "Name of the element"},
                              {.name = "value", .required = true, .description = "Task data field with the PDF URL, as \"$key\"",
                               .variable_allowed = true}},
               .data_types = {data_type::str}}});
}

}  // namespace annot::plugins::image
