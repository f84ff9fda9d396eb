// Core plugin: result validation for every generic control (filled in below).
#include <gtest/gtest.h>
