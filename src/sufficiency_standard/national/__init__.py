"""The national Children's Social Care Placements Standard (draft, 2026): read, written and
checked without loss beside this standard.

- `vocabulary`: its properties, shape and concepts, compiled from its artefacts;
- `record`: one national record (a search with its outcome), with where each value is;
- `jsonld` and `excel`: reading and writing its JSON-LD and its Excel templates;
- `check`: its SHACL shape's checks, in plain English, naming the JSON path or cell;
- `convert`: national records to this standard's tables and back, with a report of
  every value not carried, derived or filled.
"""
