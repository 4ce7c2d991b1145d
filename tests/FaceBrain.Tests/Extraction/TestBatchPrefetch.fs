module FaceBrain.Tests.Extraction.TestBatchPrefetch

open System
open System.Threading
open Expecto
open TorchSharp
open FaceBrain.Extraction

let private ahead (load: int -> int -> torch.Tensor) from total batch =
    BatchPrefetch.Ahead(Func<_, _, _> load, from, total, batch)

[<Tests>]
let tests =
    testList "Extraction.BatchPrefetch" [
        testCase "rows [from, total) in order, each once, the last batch partial" <| fun () ->
            let got =
                [ for struct (start, count, images) in ahead (fun s c -> torch.full([| int64 c |], (float32 s).ToScalar())) 2 13 4 do
                    use _ = images
                    yield start, count, images.shape[0], images[0].item<float32>() ]
            Expect.equal got [ 2, 4, 4L, 2.0f; 6, 4, 4L, 6.0f; 10, 3, 3L, 10.0f ] "starts, counts, the tensors of those rows"
            Expect.isEmpty (List.ofSeq (ahead (fun _ _ -> failwith "not called") 5 5 4)) "nothing left: no load"

        testCase "the next batch is loaded while the caller still works on the current one" <| fun () ->
            use secondStarted = new ManualResetEventSlim(false)
            let load s c =
                if s = 4 then secondStarted.Set()
                torch.zeros([| int64 c |])
            let mutable overlapped = false
            for struct (start, _, images) in ahead load 0 8 4 do
                use _ = images
                // A loader that waited for this batch to be consumed first would never set the event.
                if start = 0 then overlapped <- secondStarted.Wait(TimeSpan.FromSeconds 20.0)
            Expect.isTrue overlapped "batch 2 was being loaded during batch 1"

        testCase "a failing load surfaces when its batch is taken, after every earlier batch" <| fun () ->
            let taken = Collections.Generic.List<int>()
            let load s c = if s = 8 then raise (FaceBrain.Core.InputException "bad.jpg: not an image") else torch.zeros([| int64 c |])
            Expect.throwsT<FaceBrain.Core.InputException> (fun () ->
                for struct (start, _, images) in ahead load 0 12 4 do
                    use _ = images
                    taken.Add start) "the load's own error"
            Expect.equal (List.ofSeq taken) [ 0; 4 ] "the batches before the bad one were handed out"

        testCase "a batch loaded ahead but never taken is disposed when the caller stops" <| fun () ->
            let loaded = Collections.Concurrent.ConcurrentBag<torch.Tensor>()
            let load _ c =
                let t = torch.zeros([| int64 c |])
                loaded.Add t
                t
            let e = (ahead load 0 12 4).GetEnumerator()
            Expect.isTrue (e.MoveNext()) "a first batch"
            let struct (_, _, first) = e.Current
            first.Dispose()
            e.Dispose() // the caller stops here (a cancellation, a failed write)
            Expect.equal loaded.Count 2 "the first batch and the one loaded ahead"
            Expect.isTrue (loaded |> Seq.forall (fun t -> t.IsInvalid)) "both disposed"
    ]
