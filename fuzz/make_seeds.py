#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora (fuzz/corpus/) from the project's own configs and results: the
configs and result items of the config engine's and the core plugin's tests, results for the four
configs built into fuzz_result_validate.cpp, and tasks for the five built into fuzz_export.cpp. Rerun
after changing them; the output is committed.
"""
import json
import os

here = os.path.dirname(os.path.abspath(__file__))
configs_dir = os.path.join(here, "corpus", "config_parse")
results_dir = os.path.join(here, "corpus", "result_validate")
export_dir = os.path.join(here, "corpus", "export")

CONFIGS = {
    "core_controls.xml": """<View>
  <Text name="doc" value="$text"/>
  <List name="items" value="$items"/>
  <Labels name="ner" toName="doc"><Label value="Person"/><Label value="Org" alias="ORG"/></Labels>
  <Choices name="sentiment" toName="doc"><Choice value="Pos"/><Choice value="Neg"/></Choices>
  <Choices name="nested" toName="doc" allowNested="true" choice="multiple">
    <Choice value="Animal"><Choice value="Cat"/><Choice value="Dog"/></Choice>
    <Choice value="Plant"/>
  </Choices>
  <Taxonomy name="tax" toName="doc">
    <Choice value="Animal"><Choice value="Mammal"><Choice value="Cat"/></Choice></Choice>
  </Taxonomy>
  <TextArea name="note" toName="doc"/>
  <Rating name="stars" toName="doc" maxRating="10"/>
  <Number name="count" toName="doc" min="1" max="10"/>
  <DateTime name="day" toName="doc" format="%d.%m.%Y"/>
  <Ranker name="rank" toName="items"><Bucket name="best"/><Bucket name="ads"/></Ranker>
  <Relations><Relation value="knows"/></Relations>
</View>""",
    "text.xml": """<View>
  <Header value="Read $title:"/>
  <Text name="text" value="$text" granularity="word"/>
  <Labels name="ner" toName="text" choice="multiple"><Label value="PER" background="red"/><Label value="ORG"/></Labels>
  <View visibleWhen="region-selected" whenLabelValue="PER">
    <TextArea name="note" toName="text" perRegion="true"/>
  </View>
  <Paragraphs name="dialog" value="$dialog" layout="dialogue"/>
  <ParagraphLabels name="pl" toName="dialog"><Label value="Question"/></ParagraphLabels>
  <Pairwise name="pw" toName="text,dialog"/>
</View>
<!-- {"data": {"text": "Ada met Bob", "title": "t", "dialog": [{"author": "a", "text": "hi"}]},
      "annotations": [{"result": [{"id": "a", "from_name": "ner", "to_name": "text", "type": "labels",
        "value": {"start": 0, "end": 3, "labels": ["PER"]}},
        {"id": "a", "from_name": "note", "to_name": "text", "type": "textarea",
        "value": {"start": 0, "end": 3, "text": ["first"]}},
        {"from_id": "a", "to_id": "a", "type": "relation", "direction": "bi"}]}]} -->""",
    "image.xml": """<View>
  <Image name="img" value="$image" zoom="true"/>
  <RectangleLabels name="box" toName="img" strokeWidth="3"><Label value="Car"/><Label value="Bus"/></RectangleLabels>
  <PolygonLabels name="poly" toName="img"><Label value="Road"/></PolygonLabels>
  <KeyPointLabels name="kp" toName="img"><Label value="Eye"/></KeyPointLabels>
  <BrushLabels name="brush" toName="img"><Label value="Sky"/></BrushLabels>
  <Choices name="cls" toName="img" perRegion="true"><Choice value="Moving"/></Choices>
  <Image name="pages" valueList="$pages"/>
  <Rectangle name="rect" toName="pages"/>
</View>
<!-- {"data": {"image": "a.jpg", "pages": ["1.jpg", "2.jpg"]}, "predictions": [{"result": [
  {"id": "r", "from_name": "box", "to_name": "img", "type": "rectanglelabels", "original_width": 100,
   "original_height": 50, "value": {"x": 1, "y": 2, "width": 30, "height": 40, "rotation": 0, "rectanglelabels": ["Car"]}},
  {"id": "p", "from_name": "poly", "to_name": "img", "type": "polygonlabels",
   "value": {"points": [[1, 2], [3, 4], [5, 1]], "polygonlabels": ["Road"]}},
  {"id": "q", "from_name": "rect", "to_name": "pages", "type": "rectangle", "item_index": 1,
   "value": {"x": 1, "y": 2, "width": 3, "height": 4}}]}]} -->""",
    "media.xml": """<View>
  <Audio name="audio" value="$audio"/>
  <Labels name="al" toName="audio"><Label value="Speech"/></Labels>
  <TextArea name="tr" toName="audio" perRegion="true"/>
  <Video name="video" value="$video" frameRate="25"/>
  <VideoRectangle name="vr" toName="video"/>
  <TimelineLabels name="tl" toName="video"><Label value="Run"/></TimelineLabels>
  <HyperText name="html" value="$html"/>
  <HyperTextLabels name="hl" toName="html"><Label value="Date"/></HyperTextLabels>
  <TimeSeries name="ts" value="$ts" valueType="json" timeColumn="time">
    <Channel column="a"/><Channel column="b" strokeColor="#f00"/>
  </TimeSeries>
  <TimeSeriesLabels name="tsl" toName="ts"><Label value="Up"/></TimeSeriesLabels>
</View>""",
    "repeater.xml": """<View>
  <Repeater on="$utterances" indexFlag="{{idx}}" mode="pagination">
    <View>
      <Text name="user_{{idx}}" value="$utterances[{{idx}}].text"/>
      <Choices name="action_{{idx}}" toName="user_{{idx}}" showInline="true">
        <Choice value="No Action" selected="true"/><Choice value="Training"/>
      </Choices>
    </View>
  </Repeater>
</View>
<!-- {"data": {"utterances": [{"text": "hello"}, {"text": "bye"}]}} -->""",
    "layout.xml": """<View style="display: flex">
  <Style>.x { color: red } [name="not-a-name"] { }</Style>
  <Collapse accordion="true"><Panel value="Details"><Header size="3">Text</Header></Panel></Collapse>
  <Markdown value="**$title**"/>
  <Filter name="filter" toName="labels" minlength="2" placeholder="Find"/>
  <List name="items" value="$items" title="Results"/>
  <Text name="txt" value="$text"/>
  <Labels name="labels" toName="txt" value="$dynamic"/>
  <PagedView><View visibleWhen="choice-selected" whenTagName="c" whenChoiceValue="A">
    <Choices name="c" toName="items"><Choice value="A" hotkey="a"/></Choices>
  </View></PagedView>
</View>""",
    "errors_schema.xml": """<View>
  <Text name="t" value="$t"/>
  <Choices name="c"><Choice/></Choices>
  <TextArea name="a"/>
  <Number toName="t"/>
  <Text name="t" value="$u"/>
  <Labels name="l" toName="missing,t"><Label value="x"/></Labels>
</View>""",
    "errors_registry.xml": """<View>
  <Sparkle name="s"/>
  <Label value="orphan"/>
  <Channel column="c"/>
  <List name="l" value="$l"/>
  <Labels name="lab" toName="l"><Label value="x"/></Labels>
  <RectangleLabels name="r" toName="l"><Label value="x"/></RectangleLabels>
  <Choices name="c" toName="v"><Choice value="x"/></Choices>
  <View name="v"/>
</View>""",
    "warnings.xml": """<View>
  <Text name="t" value="$t" sparkle="1"/>
  <Rating name="r" toName="t" maxRating="3" defaultValue="9" size="huge"/>
  <DateTime name="d" toName="t" only="date,week"/>
  <Pairwise name="p" toName="t"/>
  <Labels name="l" toName="t" perItem="true" perRegion="true"><Label value="x" background="blurple"/></Labels>
  <View visibleWhen="sometimes" whenTagName="ghost"/>
  <Repeater on="$pages"><Text name="page" value="$pages[{{idx}}]"/></Repeater>
</View>
<!-- {not json} -->""",
    "xml_mismatch.xml": "<View>\n  <Text name=\"t\" value=\"$t\">\n</View>",
    "xml_entity.xml": "<View>\n  <Header value=\"a &nbsp; b &amp; &#233; &#x41;\"/>\n</View>",
    "xml_attributes.xml": "<View><Header value=\"1\" value=\"2\"/><A x='1'y=\"2\"/><B c=\"a<b\"/></View>",
    "xml_dtd.xml": "<!DOCTYPE View [<!ENTITY x \"y\">]>\n<View>&x;</View>",
    "xml_roots.xml": "<?xml version=\"1.0\"?>\n<!-- lead -->\n<View></View>\n<View/> junk <![CDATA[x]]>",
    "deep.xml": "<View>" + "<View>" * 300 + "</View>" * 300 + "</View>",
    "case.xml": """<view>
  <text name="t" value="$t"/>
  <textarea name="a" toname="t" showInLine="true"/>
  <choices name="c" toName="t"><choice value="x"/></choices>
</view>""",
}

# Results for fuzz_result_validate: (config index, results, task data or None). Index 0 is the core
# config, 1 text, 2 image, 3 media (see fuzz_result_validate.cpp).
def r(id_, from_, to, type_, value, **extra):
    d = {"id": id_, "from_name": from_, "to_name": to, "type": type_, "value": value}
    d.update(extra)
    return d

RESULTS = {
    "core_valid": (0, [r("a", "rank", "items", "ranker", {"ranker": {"best": ["x"], "_": []}}),
                       r("b", "c", "items", "choices", {"choices": [["A", "A1"], "B"]}),
                       r("c", "tax", "items", "taxonomy", {"taxonomy": [["X", "Y"]]}),
                       r("d", "ta", "items", "textarea", {"text": "one"}),
                       r("e", "r", "items", "rating", {"rating": 7}),
                       r("f", "n", "items", "number", {"number": 2.5}),
                       r("g", "d", "items", "datetime", {"datetime": "2024-01-31"}),
                       r("h", "pw", "pw", "pairwise", {"selected": "left"}),
                       {"from_id": "a", "to_id": "b", "type": "relation", "direction": "right", "labels": ["rel"]}],
                   {"items": [{"id": "x", "title": "X"}], "other": []}),
    "core_invalid": (0, [5, {}, r("a", "rank", "items", "ranker", {"ranker": "x"}),
                         r("b", "c", "items", "choices", {"choices": [1, ["Z"]]}),
                         r("c", "r", "items", "rating", {"rating": -2.5}),
                         r("d", "nobody", "items", "labels", {"labels": ["x"]}),
                         r("e", "n", "other", "number", {"number": "2"}),
                         r("f", "d", "items", "datetime", {"datetime": 20240131}),
                         {"from_id": "zz", "type": "relation", "labels": "no"}], None),
    "text_valid": (1, [r("a", "ner", "text", "labels", {"start": 0, "end": 3, "text": "Ada", "labels": ["PER"]}),
                       r("a", "note", "text", "textarea", {"start": 0, "end": 3, "text": ["note"]}),
                       r("b", "pl", "dialog", "paragraphlabels", {"start": "0", "end": "1", "startOffset": 0,
                                                                   "endOffset": 2, "paragraphlabels": ["Q"]})],
                   {"text": "Ada met Bob", "dialog": [{"author": "a", "text": "hi"}, {"author": "b", "text": "yo"}]}),
    "text_invalid": (1, [r("a", "ner", "text", "labels", {"start": 9, "end": 3, "labels": ["ZZZ"]}),
                         r("b", "ner", "text", "labels", {"start": "0", "end": 3e40, "labels": "PER"}),
                         r("c", "pl", "dialog", "paragraphlabels", {"start": "x", "end": -1})],
                     {"text": "\ud83d\ude00 emoji"}),
    "image_valid": (2, [r("a", "box", "img", "rectanglelabels", {"x": 1, "y": 2, "width": 3, "height": 4, "rotation": 0,
                                                                  "rectanglelabels": ["Car"]}, original_width=640,
                          original_height=480),
                        r("b", "poly", "img", "polygonlabels", {"points": [[1, 1], [2, 5], [9, 9]], "polygonlabels": ["Road"]}),
                        r("c", "kp", "img", "keypointlabels", {"x": 5, "y": 5, "width": 1, "keypointlabels": ["Eye"]}),
                        r("d", "brush", "img", "brushlabels", {"format": "rle", "rle": [0, 0, 0, 4, 3, 0, 0, 0, 0, 0],
                                                               "brushlabels": ["Sky"]}, original_width=1,
                          original_height=1),
                        r("a", "cls", "img", "choices", {"x": 1, "y": 2, "width": 3, "height": 4, "choices": ["Moving"]}),
                        r("e", "rect", "imgs", "rectangle", {"x": 1, "y": 1, "width": 1, "height": 1}, item_index=0)],
                    {"image": "a.jpg", "images": ["1.jpg"]}),
    "image_invalid": (2, [r("a", "box", "img", "rectanglelabels", {"x": 120, "y": -2, "width": -3, "height": "4"}),
                          r("b", "poly", "img", "polygonlabels", {"points": [[1], [2, "x"]]}),
                          r("c", "brush", "img", "brushlabels", {"format": "png", "rle": [256, -1]}),
                          r("d", "rect", "imgs", "rectangle", {"x": 1, "y": 1, "width": 1, "height": 1}, item_index=9)],
                      {"images": []}),
    "media_valid": (3, [r("a", "al", "audio", "labels", {"start": 0.5, "end": 2.5, "channel": 0, "labels": ["Speech"]},
                          original_length=10),
                        r("a", "tr", "audio", "textarea", {"start": 0.5, "end": 2.5, "text": ["hello"]}),
                        r("b", "vr", "video", "videorectangle", {"framesCount": 100, "sequence": [
                            {"frame": 1, "enabled": True, "x": 1, "y": 1, "width": 5, "height": 5, "rotation": 0, "time": 0.04},
                            {"frame": 9, "enabled": False, "x": 2, "y": 2, "width": 5, "height": 5, "rotation": 0, "time": 0.36}]}),
                        r("c", "tl", "video", "timelinelabels", {"ranges": [{"start": 3, "end": 5}], "timelinelabels": ["Run"]}),
                        r("d", "hl", "html", "hypertextlabels", {"start": "/p[1]/text()[1]", "end": "/p[1]/text()[1]",
                                                                 "startOffset": 0, "endOffset": 4,
                                                                 "globalOffsets": {"start": 0, "end": 4},
                                                                 "hypertextlabels": ["Date"]}),
                        r("e", "tsl", "ts", "timeserieslabels", {"start": 1, "end": 3, "instant": False,
                                                                 "timeserieslabels": ["Up"]})],
                    {"audio": "a.wav", "video": "v.mp4", "html": "<p>Date here</p>",
                     "ts": {"time": [1, 2, 3], "a": [1, 2, 3], "b": [3, 2, 1]}}),
    "media_invalid": (3, [r("a", "al", "audio", "labels", {"start": -1, "end": None, "labels": ["Speech"]}),
                          r("b", "vr", "video", "videorectangle", {"sequence": [{"frame": 9}, {"frame": 1, "x": "a"}]}),
                          r("c", "tl", "video", "timelinelabels", {"ranges": [{"start": 5, "end": 3}]}),
                          r("d", "tsl", "ts", "timeserieslabels", {"start": 3, "end": 1}),
                          r("e", "hl", "html", "hypertextlabels", {"startOffset": -1})], None),
}


# Tasks for fuzz_export: (config index, data, [results of each annotation]). Index 0 is the image
# config, 1 text, 2 audio, 3 video, 4 the Repeater (see fuzz_export.cpp). Each is written for the first
# sixteen formats that apply (byte 1; the image config has fourteen) with flags (byte 2) cycling through
# their eight values. Names with a backslash, a NUL or dots are there for the exporters that name files
# after images and labels.
def box(id_, x, y, w, h, label, **extra):
    return r(id_, "box", "img", "rectanglelabels", {"x": x, "y": y, "width": w, "height": h, "rotation": 0,
                                                     "rectanglelabels": [label]},
             original_width=640, original_height=480, **extra)

EXPORT_TASKS = {
    "image": (0, {"image": "https://example.com/a/street view.jpg?x=1"},
              [[box("a", 10, 20, 30, 40, "Car"), box("b", 0, 0, 100, 100, "Bus"),
                r("p", "poly", "img", "polygonlabels", {"points": [[1, 2], [30, 4], [5, 50]], "polygonlabels": ["Car"]},
                  original_width=640, original_height=480),
                r("k", "kp", "img", "keypointlabels", {"x": 5, "y": 6, "width": 1, "keypointlabels": ["Car"]},
                  original_width=640, original_height=480),
                r("m", "brush", "img", "brushlabels", {"format": "rle", "rle": [0, 0, 0, 4, 3, 0, 0, 0, 0, 0],
                                                       "brushlabels": ["Car"]}, original_width=1, original_height=1),
                r("e", "ell", "img", "ellipselabels", {"x": 50, "y": 50, "radiusX": 5, "radiusY": 3, "rotation": 30,
                                                       "ellipselabels": ["Bus"]}, original_width=640, original_height=480),
                r("a", "cls", "img", "choices", {"x": 10, "y": 20, "width": 30, "height": 40, "choices": ["x"]})],
               [box("c", 1.5, 2.25, 3e-05, 99.99999, "Truck")]]),
    "image_odd_names": (0, {"image": "C:\\imgs\\..\\a\u0000b.jpg"},
                        [[box("a", 10, 20, 30, 40, "Car/\\\u0000..")], []]),
    "image_dots": (0, {"image": "s3://bucket/.."}, [[box("a", 1, 2, 3, 4, ".")]]),
    "text": (1, {"text": "Ada Lovelace met Bob at IBM, Inc. in 1843.\n\tNew line \u00e9t\u00e9 \ud83d\ude00 end"},
             [[r("n1", "ner", "text", "labels", {"start": 0, "end": 12, "text": "Ada Lovelace", "labels": ["PER"]}),
               r("n2", "ner", "text", "labels", {"start": 24, "end": 33, "text": "IBM, Inc.", "labels": ["ORG"]}),
               r("n3", "ner", "text", "labels", {"start": 40, "end": 200, "labels": ["PER", "ORG"]}),
               r("c", "sent", "text", "choices", {"choices": ["Pos"]}),
               r("t", "note", "text", "textarea", {"text": ["a, \"b\"\tc"]})],
              [r("n4", "ner", "text", "labels", {"start": 4, "end": 12, "text": "Lovelace", "labels": ["ORG"]})]]),
    "audio": (2, {"audio": "/data/upload/1/x.wav"},
              [[r("a", "transcription", "audio", "textarea", {"text": ["hello world"]}),
                r("s", "al", "audio", "labels", {"start": 1.5, "end": 2.5, "labels": ["Speech"]}, original_length=10)]]),
    "video": (3, {"video": "v.mp4"},
              [[r("v", "vr", "video", "videorectangle", {"framesCount": 100, "duration": 4, "labels": ["Car"], "sequence": [
                  {"frame": 1, "enabled": True, "x": 1, "y": 2, "width": 3, "height": 4, "rotation": 0, "time": 0.04},
                  {"frame": 10, "enabled": False, "x": 5, "y": 2, "width": 3, "height": 4, "rotation": 0, "time": 0.4}]})]]),
    "repeater": (4, {"images": [{"url": "a.png"}, {"url": "b.png"}]},
                 [[r("q", "box_0", "page_0", "rectanglelabels", {"x": 1, "y": 2, "width": 3, "height": 4,
                                                                  "rectanglelabels": ["Car"]},
                     original_width=10, original_height=10)]]),
}


def main():
    os.makedirs(configs_dir, exist_ok=True)
    os.makedirs(results_dir, exist_ok=True)
    for name, text in CONFIGS.items():
        with open(os.path.join(configs_dir, name), "w", encoding="utf-8") as f:
            f.write(text)
    for name, (index, results, data) in RESULTS.items():
        body = bytes([index]) + json.dumps(results, ensure_ascii=True).encode("utf-8")
        if data is not None:
            body += b"\0" + json.dumps(data, ensure_ascii=True).encode("utf-8")
        with open(os.path.join(results_dir, name + ".bin"), "wb") as f:
            f.write(body)
    os.makedirs(export_dir, exist_ok=True)
    for name, (index, data, annotations) in EXPORT_TASKS.items():
        rest = json.dumps(data, ensure_ascii=True).encode("utf-8")
        for results in annotations:
            rest += b"\0" + json.dumps(results, ensure_ascii=True).encode("utf-8")
        for pick in range(16):
            with open(os.path.join(export_dir, "%s_%d.bin" % (name, pick)), "wb") as f:
                f.write(bytes([index, pick, pick % 8]) + rest)


if __name__ == "__main__":
    main()
