"""One demo agency per policy pack: YC, HY, PL, WD, BX (see ``liuhen.demo.scenarios``)."""
