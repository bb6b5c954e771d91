# HyperLogLog commands whose replies come from redis-server 7.0.15 (tools/record_redis_replies.py).
# GETs show the exact bytes of each representation; long ones are compared by hash.
SEQ = [
 ["PFADD","h","a","b","c"], ["GET","h"], ["PFCOUNT","h"], ["GET","h"], ["PFADD","h","a"], ["PFADD","h","d"], ["GET","h"],
 ["PFADD","e"], ["GET","e"], ["PFADD","e"], ["PFCOUNT","e"], ["PFCOUNT","nokey"], ["PFADD","x",""], ["GET","x"],
 ["PFADD","h2","@range:x:200"], ["GET","h2"], ["PFCOUNT","h2"], ["GET","h2"], ["PFDEBUG","ENCODING","h2"], ["PFDEBUG","DECODE","h"],
 ["PFADD","h3","@range:y:3000"], ["PFDEBUG","ENCODING","h3"], ["GET","h3"], ["PFCOUNT","h3"], ["GET","h3"],
 ["PFADD","h4","@range:elementwithalongername:1000"], ["PFCOUNT","h4"], ["GET","h4"], ["PFDEBUG","ENCODING","h4"],
 ["PFCOUNT","h","h2"], ["PFCOUNT","h","h3","nokey"], ["PFCOUNT","h2","h4"], ["GET","h2"],
 ["PFMERGE","m","h","h2"], ["GET","m"], ["PFCOUNT","m"], ["PFMERGE","m","h3"], ["PFDEBUG","ENCODING","m"], ["PFCOUNT","m"], ["GET","m"],
 ["PFMERGE","m2"], ["GET","m2"], ["PFMERGE","h","h2"], ["PFCOUNT","h"], ["GET","h"],
 ["PFDEBUG","GETREG","h"], ["PFDEBUG","ENCODING","h"], ["GET","h"], ["PFDEBUG","TODENSE","h"], ["PFDEBUG","TODENSE","h2"], ["PFDEBUG","DECODE","h2"],
 ["PFDEBUG","GETREG","nokey"], ["PFDEBUG","FOO","h"], ["PFDEBUG","FOO","nokey"], ["PFDEBUG","decode","h4"],
 ["SET","str","foo"], ["PFADD","str","x"], ["PFCOUNT","str"], ["PFCOUNT","str","h"], ["PFMERGE","str"], ["PFMERGE","m","str"], ["PFDEBUG","ENCODING","str"],
 ["RPUSH","l","x"], ["PFADD","l","x"], ["PFCOUNT","l"], ["PFCOUNT","h","l"], ["PFMERGE","l","h"], ["PFMERGE","m","l"], ["PFDEBUG","GETREG","l"],
 ["SET","short","HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"], ["PFADD","short","a"],
 ["SET","badenc","HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"], ["PFCOUNT","badenc"],
 ["SET","densebad","HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x00"], ["PFCOUNT","densebad"],
 ["SET","under","HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe"], ["PFCOUNT","under"], ["PFCOUNT","under","h"], ["PFMERGE","m","under"], ["PFADD","under","a"], ["PFDEBUG","TODENSE","under"],
 ["SET","over","HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff\x00"], ["PFCOUNT","over"], ["PFCOUNT","over","h"], ["PFDEBUG","DECODE","over"],
 ["SET","cut","HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f"], ["PFCOUNT","cut"], ["PFDEBUG","DECODE","cut"],
 ["SET","vals","HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\xfc\x7f\xfe"], ["PFCOUNT","vals"], ["PFADD","vals","a","b"], ["GET","vals"],
 ["SET","cached","HYLL\x01\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00\x7f\xff"], ["PFCOUNT","cached"], ["PFADD","cached","zz"], ["PFCOUNT","cached"], ["GET","cached"],
 ["CONFIG","SET","hll-sparse-max-bytes","40"], ["PFADD","small","@range:z:30"], ["PFDEBUG","ENCODING","small"], ["GET","small"], ["PFCOUNT","small"],
 ["CONFIG","SET","hll-sparse-max-bytes","3000"],
]

# HyperLogLogs made by redis-server 7.0.15, as its DUMP payloads: RESTOREd, they work here.
DUMPS = {
    'a': '\x00\x1aHYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80a\x84\x80XÍ\x88E\xa0\x84\x08\n\x00\x10Â%É¸¯Ø\x8c',
    'dd': '\x00Ã@¬p\x10\x04HYLL\x00à\x01\x00\x00\x80à\x01\nàÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àP\x00\x00@àPYàÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00àÿ\x00à±\x00\x00\x03à±ºàÿ\x00àÿ\x00àÿ\x00à]\x00\x00 `f\x01\x00\x00\n\x00Àï\x0ca\x0e¸òÎ',
    's2': '\x00A\x8cHYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x806\x84<\x80@©¤\x0e\x88@\x90\x84@l\x9c\x04\x88@â\x80A5\x88@U\x80\x00\x80@z\x80A\x1d\x88@\x89\x80\r\x84A\x07\x8c@F\x84AH\x80\t\x80@à\x80@\x94\x80@~\x90@s\x80@b\x84@¢\x80@\x83\x84@]\x84@á\x84\x07\x84\r\x80AP\x80\x06\x84\'\x84@\x81\x80<\x84@G\x84\x07\x80@N\x80@\x8f\x84\t\x84@C\x84\x0c\x84&\x84@n\x80@s\x80@@\x84@\x9d\x84\x19\x80\x19\x80*\x84A\x02\x8c\x08\x84A)\x80.\x88@r\x80@K\x8c@R\x88\x1b\x80@°\x80AY\x8cAX\x8c\x1a\x84\x03\x80@~\x80@Ç\x80\x08\x84AY\x80@f\x84@\x9f\x80@F\x8c\x10\x8c\x01\x84!\x88\x11\x80A\x82\x84@b\x800\x88@y\x84\x07\x84\x19\x80@Þ\x84@F\x84@\x8b\x88\x14\x80+\x84\x02\x80\n\x88@W\x80A§\x90\x11\x84@\xa0\x80\x1f\x84\x01\x80A\x13\x84@\x84\x8c\x16\x84!\x81<\x88@j\x84@á\x80AG\x80\x03\x80"\x80@¸\x84A\x03\x84\x16\x80A\x11\x80\x04\x84A+\x808\x8cAN\x80&\x80\x05\x80\x03\x80@T\x80@ì\x88.\x88@ö\x80\x19\x84)\x88\x03\x80@[\x84\x1b\x80?\x80@D\x80@U\x80\r\x88\x12\x84@Ó\x80@Y\x88@\x8f\x90@~\x80@\x84\x80A_\x803\x84@O\x80(\x84A\x1f\x80@r\x84@X\x90"\x84\n\x80@j\x84\r\x809\x80\x13\x80@\x9a\x88(\x80@\x8c\n\x00Z\x9a\rÛ$ É\x95',
}
SEQ += [
    ["RESTORE", "r_sparse", "0", DUMPS["a"]], ["GET", "r_sparse"], ["PFCOUNT", "r_sparse"], ["PFADD", "r_sparse", "w"], ["GET", "r_sparse"],
    ["RESTORE", "r_dense", "0", DUMPS["dd"]], ["PFDEBUG", "ENCODING", "r_dense"], ["PFCOUNT", "r_dense"], ["PFADD", "r_dense", "w"], ["PFCOUNT", "r_dense"], ["GET", "r_dense"],
    ["RESTORE", "r_big", "0", DUMPS["s2"]], ["PFCOUNT", "r_big", "r_sparse"], ["PFMERGE", "r_big", "r_dense"], ["GET", "r_big"], ["PFCOUNT", "r_big"],
]
