#!/usr/bin/env python3
"""Parses an SVG file as XML (exit 1 if it is not well-formed) and prints, one per line,
the ids of its <g class="task"> groups and the classes of its <polyline>s."""
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
try:
    root = ET.parse(sys.argv[1]).getroot()
except ET.ParseError as e:
    print(f"not well-formed: {e}")
    sys.exit(1)
if root.tag != NS + "svg":
    print(f"root is {root.tag}, not svg")
    sys.exit(1)
for g in root.iter(NS + "g"):
    if g.get("class") == "task":
        print("task " + g.get("id"))
for p in root.iter(NS + "polyline"):
    print("polyline " + p.get("class"))
