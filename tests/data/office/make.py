"""The office fixture of tests/it/analyst.rs: a research office's own files for one
training year, as they arrive — not the canonical layout.

Run from this directory: `python3 make.py` (standard library only) rewrites every file
here except itself. The same bytes every time (fixed seed, no timestamps in the XLSX).

What the files hold, and what `traineval init` must cope with:
- 干部花名册.xlsx: a notes sheet first, the roster on the second sheet 「花名册」 with a
  title row (2025年度干部花名册) above the header; Chinese headers and category labels;
  dates written as text 2001/7/1; one cadre of category 「其他」 (no such category).
- 单位名单.csv: UTF-8 with BOM, CRLF; unit kinds in Chinese.
- 2025年培训班次.xlsx: one sheet; methods and target categories in Chinese.
- 课程安排.csv: GBK, CRLF.
- 学员名单.csv: UTF-8; 是/否; one row for the cadre of category 「其他」.
- items.csv: the questionnaire, written by the office once (see docs/guide.md).
- 培训前测评.csv, 培训后测评.csv: 问卷星 exports, GBK, CRLF; the post export asks the
  questions in another order; an open question at the end; skipped answers 「(跳过)」.
- 课程评估_<class>.csv: 问卷星 course evaluations, GBK, CRLF, one file per class: one row
  per trainee, one column per course × indicator (`3、(课程名称)—理论深度`).
- 年度考核.csv: annual reviews, 德能勤绩廉 and 考核等次 in Chinese.
- no trainee ratings, no unit outcomes, no needs or follow-up surveys: the missing inputs.
"""
import csv, io, random, zipfile

rnd = random.Random(7)

CATS = [("县处级领导干部", "department_level"), ("中层干部", "middle_level"), ("优秀年轻干部", "young_reserve"), ("公务员", "civil_servant")]
UNITS = [("U01", "东城区委组织部", "党委", "东城区"), ("U02", "东城区发展和改革委员会", "政府", "东城区"),
         ("U03", "西城区教育局", "政府", "西城区"), ("U04", "西城区第一中学", "事业单位", "西城区"), ("U05", "南山镇人民政府", "乡镇", "南山镇")]
CLASSES = [
    ("K25001", "2025年县处级领导干部集中轮训班（第1期）", "县处级领导干部", "集中培训", "市委党校", "2025-03-03", "2025-03-14", 10, 75),
    ("K25002", "2025年中层干部能力提升班", "中层干部", "案例教学", "市委党校", "2025-04-07", "2025-04-18", 10, 72),
    ("K25003", "2025年优秀年轻干部培训班", "优秀年轻干部", "案例教学", "市行政学院", "2025-05-12", "2025-05-23", 10, 70),
    ("K25004", "2025年公务员依法行政专题培训班", "公务员", "集中培训", "市行政学院", "2025-06-09", "2025-06-13", 5, 36),
]
TOPICS = ["习近平新时代中国特色社会主义思想", "乡村振兴战略", "依法行政", "基层治理", "数字政府建设", "党风廉政建设"]
ITEMS = [
    ("COMP1", "我能够准确把握党的路线方针政策并结合本岗位贯彻落实", False),
    ("COMP2", "我能够运用新发展理念分析解决本地区本部门的实际问题", False),
    ("COMP3", "遇到复杂矛盾和突发事件时，我常常感到无从下手", True),
    ("COMP4", "我善于做群众工作，能够有效化解基层矛盾纠纷", False),
    ("COMP5", "我能够依法依规履职，运用法治思维和法治方式开展工作", False),
    ("COMP6", "我能够统筹协调各方力量，推动重点任务落地见效", False),
]
INDICATORS = ["联系实际", "理论深度", "信息量", "授课技巧", "教学态度"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"


def write_csv(name, rows, encoding="utf-8", crlf=True, bom=False):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    w.writerows(rows)
    data = buf.getvalue().encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    with open(name, "wb") as f:
        f.write(data)


def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def esc(t):
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sheet_xml(rows, merge=None):
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    for r, row in enumerate(rows, 1):
        cells = []
        for c, v in enumerate(row):
            ref = f"{col(c)}{r}"
            if v is None or v == "":
                continue
            if isinstance(v, (int, float)):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{esc(v)}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    out.append("</sheetData>")
    if merge:
        out.append(f'<mergeCells count="1"><mergeCell ref="{merge}"/></mergeCells>')
    out.append("</worksheet>")
    return "".join(out)


def write_xlsx(name, sheets):
    """sheets: [(sheet name, rows, merge ref or None)]"""
    ct = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
          '<Default Extension="xml" ContentType="application/xml"/>',
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>']
    for i in range(len(sheets)):
        ct.append(f'<Override PartName="/xl/worksheets/sheet{i+1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
    ct.append("</Types>")
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>')
    wb = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
          '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>']
    wbrels = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">']
    for i, (sname, _, _) in enumerate(sheets):
        wb.append(f'<sheet name="{esc(sname)}" sheetId="{i+1}" r:id="rId{i+1}"/>')
        wbrels.append(f'<Relationship Id="rId{i+1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i+1}.xml"/>')
    wb.append("</sheets></workbook>")
    wbrels.append("</Relationships>")
    with zipfile.ZipFile(name, "w", zipfile.ZIP_DEFLATED) as z:
        def put(path, text):
            info = zipfile.ZipInfo(path, date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)
        put("[Content_Types].xml", "".join(ct))
        put("_rels/.rels", rels)
        put("xl/workbook.xml", "".join(wb))
        put("xl/_rels/workbook.xml.rels", "".join(wbrels))
        for i, (_, rows, merge) in enumerate(sheets):
            put(f"xl/worksheets/sheet{i+1}.xml", sheet_xml(rows, merge))


# ---------------------------------------------------------------- cadres
cadres = []  # (id, name, gender, birth, cat label, rank, unit, party, join)
n = 0
for k, (label, _) in enumerate(CATS):
    for j in range(10):
        n += 1
        cid = f"C{n:03d}"
        name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + (rnd.choice(GIVEN) if rnd.random() < 0.5 else "")
        rank = ["正处", "副处", "正科", "科员"][k]
        join = f"{rnd.randint(1990, 2015)}/{rnd.randint(1, 12)}/{rnd.randint(1, 28)}"
        cadres.append((cid, name, rnd.choice("男女"), rnd.randint(1965, 1995), label, rank, UNITS[n % 5][0], "是", join))
cadres.append(("C041", "钱进", "男", 1980, "其他", "科员", "U05", "否", ""))

roster = [["2025年度干部花名册"], ["序号", "干部编号", "姓名", "性别", "出生年份", "干部类别", "职级", "单位编号", "是否党员", "入党时间", "联系电话"]]
for i, c in enumerate(cadres, 1):
    roster.append([i, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], f"1380000{i:04d}"])
notes = [["填表说明"], ["1. 干部编号为组织部统一编号，不得重复。"], ["2. 入党时间按 年/月/日 填写；非党员留空。"]]
write_xlsx("干部花名册.xlsx", [("填表说明", notes, None), ("花名册", roster, "A1:K1")])

write_csv("单位名单.csv", [["单位编号", "单位名称", "单位类型", "所属地区"]] + [list(u) for u in UNITS], bom=True)

classes = [["班次编号", "班次名称", "培训对象", "培训方式", "承办单位", "开班日期", "结业日期", "天数", "学时"]]
classes += [list(c) for c in CLASSES]
write_xlsx("2025年培训班次.xlsx", [("班次", classes, None)])

# ---------------------------------------------------------------- courses
courses = []  # (course id, class id, title, teacher, method, hours, topic)
for k, c in enumerate(CLASSES):
    for j in range(3):
        topic = TOPICS[(k + j) % len(TOPICS)]
        courses.append((f"{c[0]}-{j+1:02d}", c[0], f"{topic}专题", f"T{(k * 3 + j) % 7 + 1:02d}", "专题讲座" if j < 2 else "现场教学", 4, topic))
write_csv("课程安排.csv", [["课程编号", "班次编号", "课程名称", "授课教师", "教学方式", "学时", "专题"]] + [list(c) for c in courses], encoding="gbk")

# ---------------------------------------------------------------- enrollments: 8 of each category's 10
enrolled = {}
rows = [["班次编号", "干部编号", "实到学时", "请假学时", "违纪次数", "考试成绩", "是否结业"]]
for k, c in enumerate(CLASSES):
    members = [cadres[k * 10 + j][0] for j in range(8)]
    enrolled[c[0]] = members
    for m in members:
        leave = rnd.choice([0, 0, 0, 2, 4])
        rows.append([c[0], m, c[8] - leave, leave, 0, rnd.randint(70, 98), "是"])
rows.append(["K25004", "C041", 36, 0, 0, 88, "是"])
write_csv("学员名单.csv", rows, crlf=False)

# ---------------------------------------------------------------- items
items = [["item_id", "scale", "wave", "text", "min", "max", "reverse", "kind"]]
for iid, text, rev in ITEMS:
    items.append([iid, "competence", "", text, 1, 5, "true" if rev else "false", "likert"])
write_csv("items.csv", items, crlf=False)

# ---------------------------------------------------------------- surveys
META = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]
theta = {c[0]: rnd.gauss(0, 0.6) for c in cadres}


def answer(cid, item, post, rev):
    x = 2.6 + theta[cid] + (0.9 if post else 0) + rnd.gauss(0, 0.5)
    x = max(1, min(5, round(x)))
    return 6 - x if rev else x


def survey(name, post, order):
    head = META + ["1、您所在的班次编号：", "2、您的学员编号："]
    head += [f"{q}、{ITEMS[i][1]}" for q, i in enumerate(order, 3)]
    head.append(f"{len(order) + 3}、您对本次培训还有什么意见和建议？")
    rows = [head]
    seq = 0
    for c in CLASSES:
        day = c[6] if post else c[5]
        for m in enrolled[c[0]]:
            seq += 1
            y, mo, d = (int(x) for x in day.split("-"))
            when = f"{y}/{mo}/{d} {rnd.randint(8, 20)}:{rnd.randint(0, 59):02d}:{rnd.randint(0, 59):02d}"
            ans = []
            for i in order:
                v = answer(m, ITEMS[i][0], post, ITEMS[i][2])
                ans.append("(跳过)" if rnd.random() < 0.03 else v)
            rows.append([seq, when, f"{rnd.randint(60, 400)}秒", "微信", "直接访问", f"10.0.{seq % 7}.{seq}(北京-北京)", c[0], m] + ans + ["无"])
    write_csv(name, rows, encoding="gbk")


survey("培训前测评.csv", False, [0, 1, 2, 3, 4, 5])
survey("培训后测评.csv", True, [1, 0, 2, 3, 5, 4])

# ---------------------------------------------------------------- course evaluations, one export per class
for c in CLASSES:
    cs = [x for x in courses if x[1] == c[0]]
    head = META + ["1、您所在的班次编号：", "2、您的学员编号："]
    q = 3
    for x in cs:
        head += [f"{q}、({x[2]})—{ind}" for ind in INDICATORS]
        q += 1
    head.append(f"{q}、您对本班课程设置的意见：")
    rows = [head]
    for seq, m in enumerate(enrolled[c[0]], 1):
        y, mo, d = (int(v) for v in c[6].split("-"))
        row = [seq, f"{y}/{mo}/{d} 16:{seq:02d}:00", f"{rnd.randint(90, 300)}秒", "微信", "直接访问", f"10.1.0.{seq}(北京-北京)", c[0], m]
        for x in cs:
            base = rnd.randint(14, 19)
            row += [min(20, base + rnd.randint(-1, 1)) for _ in INDICATORS]
        row.append("")
        rows.append(row)
    write_csv(f"课程评估_{c[0]}.csv", rows, encoding="gbk")

# ---------------------------------------------------------------- reviews
GRADE = ["优秀", "称职", "基本称职"]
rows = [["干部编号", "考核日期", "考核类型", "德", "能", "勤", "绩", "廉", "考核等次"]]
trained = {m for ms in enrolled.values() for m in ms}
for c in cadres[:40]:
    for year in (2024, 2025):
        lift = 3 if (year == 2025 and c[0] in trained) else 0
        dims = [max(0, min(100, round(80 + theta[c[0]] * 5 + lift + rnd.gauss(0, 2)))) for _ in range(5)]
        mean = sum(dims) / 5
        rows.append([c[0], f"{year}-12-20", "年度考核", *dims, GRADE[0] if mean >= 85 else GRADE[1] if mean >= 75 else GRADE[2]])
write_csv("年度考核.csv", rows)
