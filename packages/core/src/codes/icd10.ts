/**
 * Common ICD-10 codes with Vietnamese names in the style of the MoH list (QĐ 4469/QĐ-BYT 2020).
 * A working subset for generators and UI pick-lists, not the authoritative list: names were written
 * from the MoH translation as best known and must be checked against the official file before any
 * use in assessment.
 */
export interface Icd10Entry {
  code: string;
  name: string;
}

const RAW: ReadonlyArray<readonly [string, string]> = [
  // A–B: infections
  ['A01.0', 'Bệnh thương hàn'],
  ['A02.0', 'Viêm ruột do Salmonella'],
  ['A03.9', 'Bệnh lỵ trực khuẩn, không đặc hiệu'],
  ['A06.0', 'Lỵ amip cấp'],
  ['A08.4', 'Nhiễm virus đường ruột, không đặc hiệu'],
  ['A09', 'Tiêu chảy và viêm dạ dày - ruột có nguồn gốc nhiễm trùng'],
  ['A15.0', 'Lao phổi, xác nhận bằng soi đờm có hoặc không có nuôi cấy'],
  ['A15.3', 'Lao phổi, xác nhận bằng phương pháp không xác định'],
  ['A16.2', 'Lao phổi, không đề cập đến xác nhận vi khuẩn học hoặc mô học'],
  ['A17.0', 'Lao màng não'],
  ['A18.0', 'Lao xương và khớp'],
  ['A18.2', 'Lao hạch ngoại biên'],
  ['A19.9', 'Lao kê, không đặc hiệu'],
  ['A90', 'Sốt Dengue [sốt Dengue cổ điển]'],
  ['A91', 'Sốt xuất huyết Dengue'],
  ['B01.9', 'Thủy đậu không có biến chứng'],
  ['B02.9', 'Zona không có biến chứng'],
  ['B05.9', 'Sởi không có biến chứng'],
  ['B08.4', 'Viêm miệng có mụn nước do virus đường ruột kèm phát ban (bệnh tay chân miệng)'],
  ['B15.9', 'Viêm gan A không có hôn mê gan'],
  ['B18.1', 'Viêm gan virus B mạn tính không có tác nhân delta'],
  ['B18.2', 'Viêm gan virus C mạn tính'],
  ['B20', 'Bệnh HIV dẫn đến bệnh nhiễm trùng và ký sinh trùng'],
  ['B20.7', 'Bệnh HIV dẫn đến nhiều bệnh nhiễm trùng'],
  ['B21', 'Bệnh HIV dẫn đến u ác tính'],
  ['B22', 'Bệnh HIV dẫn đến các bệnh xác định khác'],
  ['B23.8', 'Bệnh HIV dẫn đến các tình trạng xác định khác'],
  ['B24', 'Bệnh HIV không đặc hiệu'],
  ['B34.9', 'Nhiễm virus, không đặc hiệu'],
  ['B35.4', 'Nấm da thân'],
  ['B36.0', 'Lang ben'],
  ['B37.0', 'Viêm miệng do Candida'],
  ['B77.9', 'Bệnh giun đũa, không đặc hiệu'],
  ['B86', 'Bệnh ghẻ'],
  // C–D: neoplasms, blood
  ['C16.9', 'U ác của dạ dày, không đặc hiệu'],
  ['C18.9', 'U ác của đại tràng, không đặc hiệu'],
  ['C22.0', 'Ung thư biểu mô tế bào gan'],
  ['C34.9', 'U ác của phế quản hoặc phổi, không đặc hiệu'],
  ['C50.9', 'U ác của vú, không đặc hiệu'],
  ['D17.9', 'U mỡ lành tính, không đặc hiệu'],
  ['D25.9', 'U cơ trơn tử cung, không đặc hiệu'],
  ['D50.9', 'Thiếu máu do thiếu sắt, không đặc hiệu'],
  ['D64.9', 'Thiếu máu, không đặc hiệu'],
  ['D69.6', 'Giảm tiểu cầu, không đặc hiệu'],
  // E: endocrine, nutrition, metabolic
  ['E03.9', 'Suy giáp, không đặc hiệu'],
  ['E04.1', 'Bướu giáp nhân đơn độc không độc'],
  ['E04.2', 'Bướu giáp đa nhân không độc'],
  ['E05.0', 'Nhiễm độc giáp với bướu giáp lan tỏa'],
  ['E05.9', 'Nhiễm độc giáp, không đặc hiệu'],
  ['E10.9', 'Bệnh đái tháo đường phụ thuộc insulin, không có biến chứng'],
  ['E11.2', 'Bệnh đái tháo đường không phụ thuộc insulin, có biến chứng thận'],
  ['E11.4', 'Bệnh đái tháo đường không phụ thuộc insulin, có biến chứng thần kinh'],
  ['E11.5', 'Bệnh đái tháo đường không phụ thuộc insulin, có biến chứng tuần hoàn ngoại vi'],
  ['E11.7', 'Bệnh đái tháo đường không phụ thuộc insulin, có nhiều biến chứng'],
  ['E11.9', 'Bệnh đái tháo đường không phụ thuộc insulin, không có biến chứng'],
  ['E14.9', 'Bệnh đái tháo đường không đặc hiệu, không có biến chứng'],
  ['E16.2', 'Hạ đường huyết, không đặc hiệu'],
  ['E44.0', 'Suy dinh dưỡng protein - năng lượng mức độ vừa'],
  ['E44.1', 'Suy dinh dưỡng protein - năng lượng mức độ nhẹ'],
  ['E55.9', 'Thiếu vitamin D, không đặc hiệu'],
  ['E66.9', 'Béo phì, không đặc hiệu'],
  ['E78.0', 'Tăng cholesterol máu đơn thuần'],
  ['E78.1', 'Tăng glycerid máu đơn thuần'],
  ['E78.2', 'Tăng lipid máu hỗn hợp'],
  ['E78.5', 'Tăng lipid máu, không đặc hiệu'],
  ['E79.0', 'Tăng acid uric máu không có dấu hiệu viêm khớp và bệnh hạt tophi'],
  ['E86', 'Giảm thể tích dịch'],
  ['E87.6', 'Hạ kali máu'],
  // F: mental and behavioural
  ['F00.9', 'Sa sút trí tuệ trong bệnh Alzheimer, không đặc hiệu'],
  ['F03', 'Sa sút trí tuệ không đặc hiệu'],
  ['F10.2', 'Rối loạn tâm thần và hành vi do sử dụng rượu: hội chứng nghiện'],
  ['F17.2', 'Rối loạn tâm thần và hành vi do sử dụng thuốc lá: hội chứng nghiện'],
  ['F20.0', 'Tâm thần phân liệt thể paranoid'],
  ['F20.9', 'Tâm thần phân liệt, không biệt định'],
  ['F31.9', 'Rối loạn cảm xúc lưỡng cực, không biệt định'],
  ['F32.0', 'Giai đoạn trầm cảm nhẹ'],
  ['F32.1', 'Giai đoạn trầm cảm vừa'],
  ['F32.9', 'Giai đoạn trầm cảm, không biệt định'],
  ['F33.9', 'Rối loạn trầm cảm tái diễn, không biệt định'],
  ['F41.0', 'Rối loạn hoảng sợ'],
  ['F41.1', 'Rối loạn lo âu lan tỏa'],
  ['F41.2', 'Rối loạn hỗn hợp lo âu và trầm cảm'],
  ['F43.2', 'Rối loạn sự thích ứng'],
  ['F45.9', 'Rối loạn dạng cơ thể, không biệt định'],
  ['F51.0', 'Mất ngủ không thực tổn'],
  ['F70', 'Chậm phát triển tâm thần nhẹ'],
  ['F84.0', 'Tự kỷ ở trẻ em'],
  ['F90.0', 'Rối loạn hoạt động và chú ý'],
  // G: nervous system
  ['G20', 'Bệnh Parkinson'],
  ['G40.9', 'Động kinh, không đặc hiệu'],
  ['G43.9', 'Migraine, không đặc hiệu'],
  ['G44.2', 'Đau đầu dạng căng thẳng'],
  ['G45.9', 'Cơn thiếu máu não cục bộ thoáng qua, không đặc hiệu'],
  ['G47.0', 'Rối loạn khởi phát và duy trì giấc ngủ [mất ngủ]'],
  ['G51.0', 'Liệt Bell'],
  ['G56.0', 'Hội chứng ống cổ tay'],
  ['G62.9', 'Bệnh đa dây thần kinh, không đặc hiệu'],
  // H: eye, ear
  ['H00.0', 'Lẹo và viêm mi mắt sâu khác'],
  ['H10.3', 'Viêm kết mạc cấp, không đặc hiệu'],
  ['H10.9', 'Viêm kết mạc, không đặc hiệu'],
  ['H11.0', 'Mộng thịt'],
  ['H25.9', 'Đục thủy tinh thể tuổi già, không đặc hiệu'],
  ['H40.9', 'Glôcôm, không đặc hiệu'],
  ['H52.1', 'Cận thị'],
  ['H60.9', 'Viêm tai ngoài, không đặc hiệu'],
  ['H65.9', 'Viêm tai giữa không nung mủ, không đặc hiệu'],
  ['H66.9', 'Viêm tai giữa, không đặc hiệu'],
  ['H81.1', 'Chóng mặt kịch phát lành tính'],
  ['H81.3', 'Chóng mặt ngoại biên khác'],
  ['H91.1', 'Lão thính'],
  // I: circulatory
  ['I05.0', 'Hẹp van hai lá'],
  ['I10', 'Bệnh lý tăng huyết áp vô căn (nguyên phát)'],
  ['I11.9', 'Bệnh tim do tăng huyết áp, không có suy tim (sung huyết)'],
  ['I12.9', 'Bệnh thận do tăng huyết áp, không có suy thận'],
  ['I15.9', 'Tăng huyết áp thứ phát, không đặc hiệu'],
  ['I20.0', 'Cơn đau thắt ngực không ổn định'],
  ['I20.9', 'Cơn đau thắt ngực, không đặc hiệu'],
  ['I21.9', 'Nhồi máu cơ tim cấp, không đặc hiệu'],
  ['I25.1', 'Bệnh tim xơ vữa'],
  ['I25.9', 'Bệnh tim thiếu máu cục bộ mạn, không đặc hiệu'],
  ['I34.0', 'Hở van hai lá'],
  ['I47.1', 'Nhịp nhanh trên thất'],
  ['I48', 'Rung nhĩ và cuồng nhĩ'],
  ['I49.9', 'Loạn nhịp tim, không đặc hiệu'],
  ['I50.0', 'Suy tim sung huyết'],
  ['I50.9', 'Suy tim, không đặc hiệu'],
  ['I61.9', 'Xuất huyết trong não, không đặc hiệu'],
  ['I63.9', 'Nhồi máu não, không đặc hiệu'],
  ['I64', 'Đột quỵ, không xác định do xuất huyết hay nhồi máu'],
  ['I67.2', 'Xơ vữa động mạch não'],
  ['I69.3', 'Di chứng nhồi máu não'],
  ['I70.2', 'Xơ vữa động mạch của các động mạch chi'],
  ['I83.9', 'Giãn tĩnh mạch chi dưới không có loét hoặc viêm'],
  ['I95.9', 'Hạ huyết áp, không đặc hiệu'],
  // J: respiratory
  ['J00', 'Viêm mũi họng cấp [cảm thường]'],
  ['J01.9', 'Viêm xoang cấp, không đặc hiệu'],
  ['J02.9', 'Viêm họng cấp, không đặc hiệu'],
  ['J03.9', 'Viêm amiđan cấp, không đặc hiệu'],
  ['J04.0', 'Viêm thanh quản cấp'],
  ['J06.9', 'Nhiễm trùng hô hấp trên cấp, không đặc hiệu'],
  ['J11.1', 'Cúm có biểu hiện hô hấp khác, virus không được định danh'],
  ['J12.9', 'Viêm phổi do virus, không đặc hiệu'],
  ['J15.9', 'Viêm phổi do vi khuẩn, không đặc hiệu'],
  ['J18.0', 'Viêm phế quản phổi, không đặc hiệu'],
  ['J18.9', 'Viêm phổi, không đặc hiệu'],
  ['J20.9', 'Viêm phế quản cấp, không đặc hiệu'],
  ['J21.9', 'Viêm tiểu phế quản cấp, không đặc hiệu'],
  ['J30.4', 'Viêm mũi dị ứng, không đặc hiệu'],
  ['J31.0', 'Viêm mũi mạn'],
  ['J32.9', 'Viêm xoang mạn, không đặc hiệu'],
  ['J35.0', 'Viêm amiđan mạn'],
  ['J40', 'Viêm phế quản, không xác định cấp hay mạn'],
  ['J42', 'Viêm phế quản mạn, không đặc hiệu'],
  ['J44.0', 'Bệnh phổi tắc nghẽn mạn tính có nhiễm trùng đường hô hấp dưới cấp'],
  ['J44.1', 'Bệnh phổi tắc nghẽn mạn tính có đợt cấp, không đặc hiệu'],
  ['J44.9', 'Bệnh phổi tắc nghẽn mạn tính, không đặc hiệu'],
  ['J45.0', 'Hen phế quản do dị ứng'],
  ['J45.9', 'Hen phế quản, không đặc hiệu'],
  ['J46', 'Cơn hen ác tính'],
  ['J47', 'Giãn phế quản'],
  ['J90', 'Tràn dịch màng phổi, không phân loại nơi khác'],
  ['J96.0', 'Suy hô hấp cấp'],
  // K: digestive
  ['K02.9', 'Sâu răng, không đặc hiệu'],
  ['K04.0', 'Viêm tủy răng'],
  ['K05.1', 'Viêm lợi mạn'],
  ['K05.3', 'Viêm quanh răng mạn'],
  ['K12.0', 'Loét áp-tơ miệng tái diễn'],
  ['K21.0', 'Bệnh trào ngược dạ dày - thực quản có viêm thực quản'],
  ['K21.9', 'Bệnh trào ngược dạ dày - thực quản không có viêm thực quản'],
  ['K25.9', 'Loét dạ dày, không xác định cấp hay mạn, không có chảy máu hoặc thủng'],
  ['K26.9', 'Loét tá tràng, không xác định cấp hay mạn, không có chảy máu hoặc thủng'],
  ['K29.0', 'Viêm dạ dày xuất huyết cấp'],
  ['K29.1', 'Viêm dạ dày cấp khác'],
  ['K29.5', 'Viêm dạ dày mạn, không đặc hiệu'],
  ['K29.7', 'Viêm dạ dày, không đặc hiệu'],
  ['K30', 'Khó tiêu chức năng'],
  ['K35.8', 'Viêm ruột thừa cấp, khác và không đặc hiệu'],
  ['K40.9', 'Thoát vị bẹn một bên hoặc không xác định, không có tắc hoặc hoại thư'],
  ['K52.9', 'Viêm dạ dày - ruột và viêm đại tràng không nhiễm trùng, không đặc hiệu'],
  ['K58.9', 'Hội chứng ruột kích thích không có tiêu chảy'],
  ['K59.0', 'Táo bón'],
  ['K64.9', 'Trĩ, không đặc hiệu'],
  ['K70.3', 'Xơ gan do rượu'],
  ['K74.6', 'Xơ gan khác và không đặc hiệu'],
  ['K76.0', 'Thoái hóa mỡ gan, không phân loại nơi khác'],
  ['K80.2', 'Sỏi túi mật không có viêm túi mật'],
  ['K81.0', 'Viêm túi mật cấp'],
  ['K85.9', 'Viêm tụy cấp, không đặc hiệu'],
  ['K92.2', 'Xuất huyết tiêu hóa, không đặc hiệu'],
  // L: skin
  ['L01.0', 'Chốc'],
  ['L02.9', 'Áp xe da, nhọt và nhọt cụm, không đặc hiệu'],
  ['L03.9', 'Viêm mô tế bào, không đặc hiệu'],
  ['L20.9', 'Viêm da cơ địa, không đặc hiệu'],
  ['L23.9', 'Viêm da tiếp xúc dị ứng, nguyên nhân không đặc hiệu'],
  ['L30.9', 'Viêm da, không đặc hiệu'],
  ['L40.0', 'Vảy nến thông thường'],
  ['L50.9', 'Mày đay, không đặc hiệu'],
  ['L70.0', 'Trứng cá thông thường'],
  // M: musculoskeletal
  ['M06.9', 'Viêm khớp dạng thấp, không đặc hiệu'],
  ['M10.9', 'Bệnh gút, không đặc hiệu'],
  ['M13.9', 'Viêm khớp, không đặc hiệu'],
  ['M15.9', 'Thoái hóa đa khớp, không đặc hiệu'],
  ['M17.0', 'Thoái hóa khớp gối nguyên phát, hai bên'],
  ['M17.9', 'Thoái hóa khớp gối, không đặc hiệu'],
  ['M19.9', 'Thoái hóa khớp, không đặc hiệu'],
  ['M25.5', 'Đau khớp'],
  ['M47.8', 'Thoái hóa cột sống khác'],
  ['M47.9', 'Thoái hóa cột sống, không đặc hiệu'],
  ['M48.0', 'Hẹp ống sống'],
  ['M50.1', 'Bệnh đĩa đệm cột sống cổ có bệnh lý rễ thần kinh'],
  ['M51.1', 'Bệnh đĩa đệm cột sống thắt lưng và đĩa đệm khác có bệnh lý rễ thần kinh'],
  ['M53.0', 'Hội chứng cổ - đầu'],
  ['M54.2', 'Đau vùng cổ'],
  ['M54.4', 'Đau thắt lưng kèm đau dây thần kinh tọa'],
  ['M54.5', 'Đau vùng thắt lưng'],
  ['M54.9', 'Đau lưng, không đặc hiệu'],
  ['M65.3', 'Ngón tay lò xo'],
  ['M75.0', 'Viêm dính bao khớp vai'],
  ['M75.1', 'Hội chứng chóp xoay'],
  ['M77.1', 'Viêm lồi cầu ngoài xương cánh tay'],
  ['M79.1', 'Đau cơ'],
  ['M81.0', 'Loãng xương sau mãn kinh'],
  ['M81.9', 'Loãng xương, không đặc hiệu'],
  // N: genitourinary
  ['N10', 'Viêm thận - bể thận cấp'],
  ['N18.3', 'Bệnh thận mạn, giai đoạn 3'],
  ['N18.5', 'Bệnh thận mạn, giai đoạn 5'],
  ['N18.9', 'Bệnh thận mạn, không đặc hiệu'],
  ['N20.0', 'Sỏi thận'],
  ['N20.1', 'Sỏi niệu quản'],
  ['N30.0', 'Viêm bàng quang cấp'],
  ['N39.0', 'Nhiễm khuẩn hệ tiết niệu, vị trí không xác định'],
  ['N40', 'Tăng sản tuyến tiền liệt'],
  ['N41.0', 'Viêm tuyến tiền liệt cấp'],
  ['N60.1', 'Bệnh xơ nang tuyến vú lan tỏa'],
  ['N63', 'Khối u không đặc hiệu ở vú'],
  ['N70.1', 'Viêm vòi trứng và buồng trứng mạn'],
  ['N72', 'Viêm cổ tử cung'],
  ['N76.0', 'Viêm âm đạo cấp'],
  ['N83.2', 'Nang buồng trứng khác và không đặc hiệu'],
  ['N92.0', 'Kinh nguyệt nhiều và thường xuyên với chu kỳ đều'],
  ['N94.6', 'Đau bụng kinh, không đặc hiệu'],
  ['N95.1', 'Tình trạng mãn kinh và mãn kinh ở phụ nữ'],
  // O: pregnancy, childbirth
  ['O02.1', 'Thai lưu'],
  ['O03.9', 'Sẩy thai tự nhiên, hoàn toàn hoặc không đặc hiệu, không có biến chứng'],
  ['O13', 'Tăng huyết áp thai kỳ không có protein niệu đáng kể'],
  ['O14.9', 'Tiền sản giật, không đặc hiệu'],
  ['O20.0', 'Dọa sẩy thai'],
  ['O21.0', 'Nôn nghén nhẹ'],
  ['O24.4', 'Đái tháo đường khởi phát trong thời kỳ mang thai'],
  ['O34.2', 'Chăm sóc bà mẹ vì sẹo tử cung do phẫu thuật trước đó'],
  ['O42.9', 'Ối vỡ sớm, không đặc hiệu'],
  ['O47.0', 'Chuyển dạ giả trước 37 tuần tuổi thai'],
  ['O60.0', 'Chuyển dạ sớm không có sinh'],
  ['O80', 'Đẻ thường một thai'],
  ['O82', 'Đẻ một thai bằng mổ lấy thai'],
  ['O99.0', 'Thiếu máu biến chứng thai nghén, sinh đẻ và hậu sản'],
  // P, Q: perinatal, congenital
  ['P07.3', 'Trẻ đẻ non khác'],
  ['P22.0', 'Hội chứng suy hô hấp ở trẻ sơ sinh'],
  ['P36.9', 'Nhiễm khuẩn huyết sơ sinh do vi khuẩn, không đặc hiệu'],
  ['P59.9', 'Vàng da sơ sinh, không đặc hiệu'],
  ['Q21.0', 'Thông liên thất'],
  ['Q21.1', 'Thông liên nhĩ'],
  ['Q53.9', 'Tinh hoàn không xuống bìu, không đặc hiệu'],
  // R: symptoms
  ['R05', 'Ho'],
  ['R06.0', 'Khó thở'],
  ['R07.4', 'Đau ngực, không đặc hiệu'],
  ['R10.4', 'Đau bụng khác và không đặc hiệu'],
  ['R11', 'Buồn nôn và nôn'],
  ['R42', 'Chóng mặt và choáng váng'],
  ['R50.9', 'Sốt, không đặc hiệu'],
  ['R51', 'Đau đầu'],
  ['R53', 'Khó chịu và mệt mỏi'],
  ['R56.0', 'Co giật do sốt'],
  // S, T: injuries, poisoning
  ['S00.9', 'Tổn thương nông của đầu, phần không xác định'],
  ['S01.9', 'Vết thương hở của đầu, phần không xác định'],
  ['S06.0', 'Chấn động não'],
  ['S20.2', 'Đụng dập ngực'],
  ['S22.3', 'Gãy xương sườn'],
  ['S30.0', 'Đụng dập phần thấp của lưng và khung chậu'],
  ['S42.0', 'Gãy xương đòn'],
  ['S42.2', 'Gãy đầu trên xương cánh tay'],
  ['S52.5', 'Gãy đầu dưới xương quay'],
  ['S60.0', 'Đụng dập ngón tay không tổn thương móng'],
  ['S61.0', 'Vết thương hở ngón tay không tổn thương móng'],
  ['S62.6', 'Gãy ngón tay khác'],
  ['S72.0', 'Gãy cổ xương đùi'],
  ['S80.0', 'Đụng dập gối'],
  ['S82.2', 'Gãy thân xương chày'],
  ['S82.6', 'Gãy mắt cá ngoài'],
  ['S83.6', 'Bong gân và căng cơ của phần khác và không xác định của gối'],
  ['S91.3', 'Vết thương hở phần khác của bàn chân'],
  ['S93.4', 'Bong gân và căng cơ cổ chân'],
  ['T14.0', 'Tổn thương nông vùng cơ thể không xác định'],
  ['T14.1', 'Vết thương hở vùng cơ thể không xác định'],
  ['T15.1', 'Dị vật trong kết mạc'],
  ['T23.2', 'Bỏng độ hai cổ tay và bàn tay'],
  ['T30.0', 'Bỏng, vùng cơ thể không xác định, độ không xác định'],
  ['T62.9', 'Ngộ độc do chất độc ăn phải như thực phẩm, không đặc hiệu'],
  ['T63.4', 'Ngộ độc do nọc của động vật chân đốt khác'],
  ['T78.4', 'Dị ứng, không đặc hiệu'],
  ['T88.7', 'Tác dụng phụ không đặc hiệu của thuốc và dược phẩm'],
  // U, Z: special purposes, health services
  ['U07.1', 'COVID-19, đã xác định virus'],
  ['Z00.0', 'Khám sức khỏe tổng quát'],
  ['Z00.1', 'Khám sức khỏe định kỳ trẻ em'],
  ['Z01.4', 'Khám phụ khoa (tổng quát) (thường quy)'],
  ['Z02.7', 'Khám để cấp giấy chứng nhận y tế'],
  ['Z21', 'Tình trạng nhiễm HIV không triệu chứng'],
  ['Z30.0', 'Tư vấn chung về tránh thai'],
  ['Z32.1', 'Xác nhận có thai'],
  ['Z34.0', 'Giám sát thai bình thường lần đầu'],
  ['Z34.9', 'Giám sát thai bình thường, không đặc hiệu'],
  ['Z35.9', 'Giám sát thai nghén có nguy cơ cao, không đặc hiệu'],
  ['Z36.9', 'Sàng lọc trước sinh, không đặc hiệu'],
  ['Z39.2', 'Theo dõi thường quy sau đẻ'],
  ['Z48.0', 'Chăm sóc băng và chỉ khâu vết thương'],
  ['Z76.0', 'Cấp lại đơn thuốc'],
];

/** Canonical form: upper case, dot after the 3-character category when a subcategory follows. */
export function normalizeIcd10(code: string): string {
  const c = code.trim().toUpperCase().replace(/[.\s]/g, '');
  return c.length > 3 ? `${c.slice(0, 3)}.${c.slice(3)}` : c;
}

/**
 * Codes of an episode: the main one first, then the secondary ones (MA_BENH_KT is ';'-separated
 * by the standard; some senders use ','), canonical and each once.
 */
export function diagnosisCodes(main: string | null | undefined, secondary: string | null | undefined): string[] {
  const codes = [main ?? '', ...(secondary ?? '').split(/[;,]/)].map((c) => c.trim()).filter(Boolean);
  return [...new Set(codes.map(normalizeIcd10))];
}

export const ICD10: ReadonlyArray<Icd10Entry> = RAW.map(([code, name]) => ({ code, name }));

const BY_CODE: ReadonlyMap<string, string> = new Map(RAW.map(([code, name]) => [code, name]));

/** Vietnamese name of a code; accepts "E11.9", "E119" and lower case. */
export function icd10Name(code: string): string | undefined {
  return BY_CODE.get(normalizeIcd10(code));
}

export type Sensitivity = 'hiv' | 'tb' | 'mental';

function categoryOf(code: string): { letter: string; num: number } | undefined {
  const c = normalizeIcd10(code);
  const m = /^([A-Z])(\d{2})/.exec(c);
  if (!m) return undefined;
  return { letter: m[1]!, num: Number(m[2]) };
}

/**
 * Ranges, not a list: every code in the category must be filtered before health-book sharing,
 * including codes our catalog does not carry.
 */
export function sensitivityOf(code: string): Sensitivity | null {
  const cat = categoryOf(code);
  if (!cat) return null;
  if ((cat.letter === 'B' && cat.num >= 20 && cat.num <= 24) || (cat.letter === 'Z' && cat.num === 21)) return 'hiv';
  if (cat.letter === 'A' && cat.num >= 15 && cat.num <= 19) return 'tb';
  if (cat.letter === 'F') return 'mental';
  return null;
}

/**
 * Category prefixes counted as chronic conditions (long-term outpatient list of TT 46/2016 in spirit):
 * a code is chronic when its canonical form starts with one of these.
 */
export const ICD10_CHRONIC: ReadonlyArray<string> = [
  'I10', 'I11', 'I12', 'I13', 'I15', 'I25', 'I48', 'I50', 'I69',
  'E03', 'E05', 'E10', 'E11', 'E12', 'E13', 'E14', 'E78',
  'J44', 'J45', 'J47', 'N18', 'K74', 'B18', 'M05', 'M06', 'M81',
  'G20', 'G40', 'F20', 'F31', 'F33', 'B20', 'B21', 'B22', 'B23', 'B24', 'Z21', 'C',
];

export function isChronic(code: string): boolean {
  const c = normalizeIcd10(code);
  return ICD10_CHRONIC.some((p) => c.startsWith(p));
}

/** "I10" + names: the "code - name" form used in CHAN_DOAN_RV texts, main code first. */
export function diagnosisText(codes: ReadonlyArray<string>): string {
  return codes.map((c) => icd10Name(c) ?? normalizeIcd10(c)).join('; ');
}
