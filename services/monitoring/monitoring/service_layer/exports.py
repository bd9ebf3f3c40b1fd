"""What every export and printed table of figures shares: the mark of a withheld cell and the legend explaining
it. The CSV and XLSX exports themselves: ``excel_exports.py``."""

SUPPRESSED_MARK = "x"
LEGEND = ("x = disembunyikan untuk melindungi kerahasiaan (UU PDP No. 27/2022): sel mewakili kurang dari 5 orang "
          "(bantuan bagi perempuan korban kekerasan dan bantuan sosial: kurang dari 10, termasuk nol), atau "
          "disembunyikan agar sel kecil lain tidak dapat dihitung dari angka yang diterbitkan.")
