"""A full sample CV for a fictional researcher, Mei Tanaka (田中芽衣): every section and field,
CJK names, accents and LaTeX math in titles. Tests build it as a site with make_site(CV_SITE)."""

from __future__ import annotations

PROFILE = """\
---
name: Mei Tanaka
headline: Assistant Professor of Computer Science
affiliation: Northfield University
email: mei@example.org
links:
  GitHub: https://github.com/example-mei
---
Mei works on *efficient* vision models.
"""

CV_YAML = """\
positions:
  - title: Assistant Professor
    organization: Northfield University
    location: Northfield, MN, USA
    start: 2022-08
    end: present
    links:
      lab: https://lab.example.org/
    note: Leads the **Efficient Vision** group.
  - title: Postdoctoral Researcher
    organization: Institut für Bildverarbeitung, Zürich
    location: Zürich, Switzerland
    start: 2020-01
    end: 2022-07
education:
  - degree: PhD
    field: Computer Science
    institution: University of Kyoto
    location: Kyoto, Japan
    start: 2015-04
    end: 2019-12
    advisor: 山田 太郎 (Taro Yamada)
    thesis: 'Learning $\\mathcal{O}(n)$ Attention'
  - degree: BSc
    field: Mathematics
    institution: Université de Montréal
    start: 2011
    end: 2015
awards:
  - name: Best Paper Award
    by: CVPR 2024
    date: 2024-06-20
    links:
      announcement: https://example.org/award
  - name: Early Career Fellowship
    by: Northfield Foundation
    date: 2023
    note: Awarded to five researchers a year.
grants:
  - title: Efficient Video Understanding
    funder: National Science Foundation
    role: PI
    amount: $500,000
    start: 2023-09
    end: 2026-08
talks:
  - title: 'Attention in $\\mathcal{O}(n)$: Why & How'
    event: Stanford Vision Seminar
    location: Stanford, CA
    date: 2024-03-14
    links:
      slides: https://example.org/slides.pdf
  - title: Small Models, Big Images
    event: ECCV Workshop on Efficiency
    date: 2022-10
teaching:
  - course: 'CS 479: Computer Vision'
    institution: Northfield University
    term: Fall 2023
    role: Instructor
service:
  - role: Area Chair
    venue: NeurIPS
    years: 2023–2024
  - role: Reviewer
    venue: TPAMI
    years: 2021
students:
  - name: 李小龙 (Xiaolong Li)
    level: PhD
    start: 2023-09
    end: present
  - name: Sofía Pérez
    level: MSc
    start: 2022
    end: 2023
    now: Research Engineer, Example Labs
news:
  - date: 2024-06-20
    text: Our paper won the **Best Paper Award** at CVPR 2024.
  - date: 2024-03
    text: Invited talk at Stanford.
  - date: 2023-09
    text: NSF grant awarded.
  - date: 2022-08
    text: Joined Northfield University.
"""

PAPERS = {
    "content/papers/linear-attention.md": """\
---
title: 'Linear Attention in $\\mathcal{O}(n)$ for Image Models'
authors: [Mei Tanaka, 李小龙, Sofía Pérez]
date: 2024-06
category: CV
venue: CVPR 2024
featured: true
links:
  arxiv: https://arxiv.org/abs/2406.00001
  doi: https://doi.org/10.1000/example.1
---
An abstract.
""",
    "content/papers/small-models.yaml": """\
title: Small Models & Big Images
authors: [Jan Nowak, Mei Tanaka]
et_al: true
date: 2021-11-02
category: LG
venue: NeurIPS 2021
links:
  pdf: https://example.org/small.pdf
""",
}

SECTION_HEADINGS = ("Positions", "Education", "Publications", "Awards", "Grants", "Talks", "Teaching", "Students", "Service")
PAPER_TITLES = ("Linear Attention in", "Small Models & Big Images")

CV_SITE = {
    "site.yaml": "title: Mei Tanaka\nauthor: Mei Tanaka\n",
    "content/profile.md": PROFILE,
    "content/cv.yaml": CV_YAML,
    **PAPERS,
}
