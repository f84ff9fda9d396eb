// The image plugin's register functions, one per tag family (each in its own file).
#pragma once

#include <annot/registrar.hpp>

namespace annot::plugins::image {

status register_image_tag(registrar& reg);     // Image (+ Labels and per-region results on it)
status register_pdf_tag(registrar& reg);       // Pdf
status register_rectangle_tags(registrar& reg);  // Rectangle, RectangleLabels
status register_polygon_tags(registrar& reg);    // Polygon, PolygonLabels
status register_ellipse_tags(registrar& reg);    // Ellipse, EllipseLabels
status register_keypoint_tags(registrar& reg);   // KeyPoint, KeyPointLabels
status register_brush_tags(registrar& reg);      // Brush, BrushLabels, MagicWand
status register_vector_tags(registrar& reg);     // Vector, VectorLabels
status register_bitmask_tags(registrar& reg);    // Bitmask, BitmaskLabels

}  // namespace annot::plugins::image
