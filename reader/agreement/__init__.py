"""Agreement between coders (issue: several coders on one corpus).

Headless (no textual, no rich), in layers that follow the data:

* `table`: what each coder said about each unit, as counts of patterns;
* `coefficients`: percent agreement, Cohen's and Fleiss' kappa, Krippendorff's nominal alpha;
* `unitizing`: Krippendorff's unitizing alpha on character spans;
* `bootstrap`: a seeded confidence interval for alpha;
* `study`: coded spans over documents turned into tables per tag and overall;
* `load`: a study gathered from the store and the corpus (the command line's entry point).
"""
