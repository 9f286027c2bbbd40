"""Small valid records shared by tests of different stages."""

TINYSEG = """\
---
title: TinySeg
authors:
  - Priya Raman
  - Mira Okonkwo
date: 2024-05-01
category: CV
links:
  code: https://github.com/x/tinyseg
---
Abstract.
"""
